/**
 * The Spatial view (issue #11): a small 2D spatial niche from a preset (src/web/spatial-presets.ts, set-ups of the
 * SVE experiments) runs in the Worker and sends its frames; this view draws one frame with raw WebGL2: the selected
 * field as a heat map (an R32F texture mapped through a viridis lookup texture, one scale for all frames) under the
 * agents as point sprites coloured by type (Okabe-Ito), quiescent LSCs as rings and cycling LSCs with a white
 * centre. A time slider and play/pause walk the frames; the frame exports as PNG (heat map, colour bar, legend and
 * time composed on a 2D canvas) and its agents as CSV.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { PRESET_INFO, type SpatialRun } from '../spatial-info.js';
import type { EngineClient } from './client.js';
import { save } from './download.js';
import {
  CELL_COLOURS,
  CELL_LABELS,
  fieldScale,
  fmtNum,
  frameCsv,
  hexToRgb,
  MAX_CELL_TYPES,
  UNKNOWN_COLOUR,
  VIRIDIS_STOPS,
  viridis,
  viridisLut,
} from './spatial-view.js';

/** What the e2e test reads. */
export interface SpatialProbe {
  runs: number;
  frames: number;
  frame: number;
  time: number;
  draws: number;
  drawMs: number;
  workerMs: number;
  webgl2: boolean;
}

declare global {
  interface Window {
    __exonicheSpatial?: SpatialProbe;
  }
}

const FIELD_VS = `#version 300 es
out vec2 v_uv;
void main() {
  vec2 p = vec2(float((gl_VertexID << 1) & 2), float(gl_VertexID & 2));
  v_uv = p;
  gl_Position = vec4(p * 2.0 - 1.0, 0.0, 1.0); // one triangle covering the viewport
}`;

const FIELD_FS = `#version 300 es
precision highp float;
in vec2 v_uv;
uniform highp sampler2D u_field;
uniform sampler2D u_lut;
uniform vec2 u_range;
out vec4 colour;
void main() {
  float v = texture(u_field, v_uv).r;
  float t = clamp((v - u_range.x) / (u_range.y - u_range.x), 0.0, 1.0);
  colour = texture(u_lut, vec2(t * (255.0 / 256.0) + 0.5 / 256.0, 0.5));
}`;

const AGENT_VS = `#version 300 es
in vec2 a_pos;
in float a_radius;
in float a_type;
in float a_state;
uniform vec4 u_domain; // x0, y0, width, height (um)
uniform float u_pxPerUm;
uniform vec3 u_colours[8];
out vec3 v_colour;
out float v_state;
out float v_size;
void main() {
  vec2 c = (a_pos - u_domain.xy) / u_domain.zw * 2.0 - 1.0;
  gl_Position = vec4(c, 0.0, 1.0);
  v_size = max(2.0 * a_radius * u_pxPerUm, 11.0);
  gl_PointSize = v_size;
  v_colour = u_colours[min(int(a_type), 7)];
  v_state = a_state;
}`;

const AGENT_FS = `#version 300 es
precision mediump float;
in vec3 v_colour;
in float v_state;
in float v_size;
out vec4 colour;
void main() {
  float d = length(gl_PointCoord * 2.0 - 1.0);
  if (d > 1.0) discard;
  float edge = 1.0 - 3.0 / v_size;
  if (d > edge) { colour = vec4(0.0, 0.0, 0.0, 1.0); return; }
  if (v_state < 1.5 && v_state > 0.5 && d < 0.5) discard; // quiescent: a ring
  if (v_state > 1.5 && d < 0.3) { colour = vec4(1.0); return; } // cycling: white centre
  colour = vec4(v_colour, 1.0);
}`;

function compile(gl: WebGL2RenderingContext, vs: string, fs: string): WebGLProgram {
  const prog = gl.createProgram();
  for (const [type, src] of [
    [gl.VERTEX_SHADER, vs],
    [gl.FRAGMENT_SHADER, fs],
  ] as const) {
    const sh = gl.createShader(type);
    if (!sh) throw new Error('WebGL2: cannot create a shader');
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS))
      throw new Error(`WebGL2 shader: ${gl.getShaderInfoLog(sh) ?? 'compile error'}`);
    gl.attachShader(prog, sh);
  }
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS))
    throw new Error(`WebGL2 program: ${gl.getProgramInfoLog(prog) ?? 'link error'}`);
  return prog;
}

/** The WebGL2 state of one canvas: two programs, the field and lookup textures, the agent buffers. */
class SpatialGl {
  private readonly field: WebGLProgram;
  private readonly agents: WebGLProgram;
  private readonly fieldTex: WebGLTexture;
  private readonly lutTex: WebGLTexture;
  private readonly vao: WebGLVertexArrayObject;
  private readonly buffers: Record<'pos' | 'radius' | 'type' | 'state', WebGLBuffer>;
  private readonly pos = { buf: new Float32Array(0) };

  constructor(readonly gl: WebGL2RenderingContext) {
    this.field = compile(gl, FIELD_VS, FIELD_FS);
    this.agents = compile(gl, AGENT_VS, AGENT_FS);
    this.fieldTex = gl.createTexture();
    this.lutTex = gl.createTexture();
    gl.bindTexture(gl.TEXTURE_2D, this.lutTex);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 256, 1, 0, gl.RGBA, gl.UNSIGNED_BYTE, viridisLut(256));
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    this.vao = gl.createVertexArray();
    gl.bindVertexArray(this.vao);
    const attr = (name: string, size: number) => {
      const b = gl.createBuffer();
      const loc = gl.getAttribLocation(this.agents, name);
      gl.bindBuffer(gl.ARRAY_BUFFER, b);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, gl.FLOAT, false, 0, 0);
      return b;
    };
    this.buffers = {
      pos: attr('a_pos', 2),
      radius: attr('a_radius', 1),
      type: attr('a_type', 1),
      state: attr('a_state', 1),
    };
    gl.bindVertexArray(null);
  }

  /** Draws frame `k` of `run` with the field scaled to `range`; returns the draw time (ms, to gl.finish). */
  draw(run: SpatialRun, k: number, range: readonly [number, number]): number {
    const t0 = performance.now();
    const gl = this.gl;
    const f = run.frames[k];
    const { nx, ny, dx, dy, x0, y0 } = run.grid;
    gl.viewport(0, 0, gl.drawingBufferWidth, gl.drawingBufferHeight);
    gl.clearColor(1, 1, 1, 1);
    gl.clear(gl.COLOR_BUFFER_BIT);

    gl.useProgram(this.field);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, this.fieldTex);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    // Voxel values as they are (NEAREST: R32F is not filterable without an extension, and voxels stay visible).
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, nx, ny, 0, gl.RED, gl.FLOAT, f.field);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.activeTexture(gl.TEXTURE1);
    gl.bindTexture(gl.TEXTURE_2D, this.lutTex);
    gl.uniform1i(gl.getUniformLocation(this.field, 'u_field'), 0);
    gl.uniform1i(gl.getUniformLocation(this.field, 'u_lut'), 1);
    gl.uniform2f(gl.getUniformLocation(this.field, 'u_range'), range[0], range[1]);
    gl.drawArrays(gl.TRIANGLES, 0, 3);

    const n = f.x.length;
    if (this.pos.buf.length < 2 * n) this.pos.buf = new Float32Array(2 * n);
    const p = this.pos.buf;
    for (let i = 0; i < n; i++) {
      p[2 * i] = f.x[i];
      p[2 * i + 1] = f.y[i];
    }
    gl.useProgram(this.agents);
    gl.bindVertexArray(this.vao);
    const upload = (b: WebGLBuffer, data: Float32Array) => {
      gl.bindBuffer(gl.ARRAY_BUFFER, b);
      gl.bufferData(gl.ARRAY_BUFFER, data, gl.DYNAMIC_DRAW);
    };
    upload(this.buffers.pos, p.subarray(0, 2 * n));
    upload(this.buffers.radius, f.radius);
    upload(this.buffers.type, Float32Array.from(f.type));
    upload(this.buffers.state, Float32Array.from(f.state));
    const w = nx * dx;
    const h = ny * dy;
    gl.uniform4f(gl.getUniformLocation(this.agents, 'u_domain'), x0, y0, w, h);
    gl.uniform1f(gl.getUniformLocation(this.agents, 'u_pxPerUm'), gl.drawingBufferWidth / w);
    const cols = new Float32Array(3 * MAX_CELL_TYPES);
    for (let i = 0; i < MAX_CELL_TYPES; i++)
      cols.set(
        hexToRgb(CELL_COLOURS[run.cellTypes[i]] ?? UNKNOWN_COLOUR).map((c) => c / 255),
        3 * i,
      );
    gl.uniform3fv(gl.getUniformLocation(this.agents, 'u_colours'), cols);
    gl.drawArrays(gl.POINTS, 0, n);
    gl.bindVertexArray(null);
    gl.finish();
    return performance.now() - t0;
  }
}

const hours = (min: number) => `${+(min / 60).toFixed(2)} h`;

/** The colour bar as a CSS gradient (the same stops as the lookup texture). */
const GRADIENT = `linear-gradient(to right, ${VIRIDIS_STOPS.join(', ')})`;

/** The canvas with a colour bar, legend and time below it, as a PNG. */
async function composePng(
  canvas: HTMLCanvasElement,
  run: SpatialRun,
  k: number,
  range: readonly [number, number],
): Promise<Blob> {
  const pad = 16;
  const W = canvas.width;
  const out = document.createElement('canvas');
  out.width = W + 2 * pad;
  out.height = canvas.height + 130;
  const c = out.getContext('2d');
  if (!c) throw new Error('no 2D canvas');
  c.fillStyle = '#fff';
  c.fillRect(0, 0, out.width, out.height);
  c.drawImage(canvas, pad, pad);
  c.fillStyle = '#000';
  c.font = '14px system-ui, sans-serif';
  let y = canvas.height + pad + 8;
  for (let i = 0; i < W; i++) {
    const [r, g, b] = viridis(i / (W - 1));
    c.fillStyle = `rgb(${r},${g},${b})`;
    c.fillRect(pad + i, y, 1, 14);
  }
  c.fillStyle = '#000';
  y += 30;
  c.textAlign = 'left';
  c.fillText(fmtNum(range[0]), pad, y);
  c.textAlign = 'center';
  c.fillText(`${run.field.name} (${run.field.unit})`, pad + W / 2, y);
  c.textAlign = 'right';
  c.fillText(fmtNum(range[1]), pad + W, y);
  c.textAlign = 'left';
  y += 26;
  let x = pad;
  const present = new Set(run.frames[k].type);
  for (const [i, t] of run.cellTypes.entries()) {
    if (!present.has(i)) continue;
    c.fillStyle = CELL_COLOURS[t] ?? UNKNOWN_COLOUR;
    c.beginPath();
    c.arc(x + 6, y - 5, 6, 0, 2 * Math.PI);
    c.fill();
    c.strokeStyle = '#000';
    c.stroke();
    c.fillStyle = '#000';
    const label = CELL_LABELS[t] ?? t;
    c.fillText(label, x + 16, y);
    x += 24 + c.measureText(label).width;
  }
  y += 24;
  c.fillText(
    `${run.experiment} preset ${run.preset}, t = ${hours(run.frames[k].time)}; LSC ring = quiescent, white centre = cycling`,
    pad,
    y,
  );
  return await new Promise((ok, fail) =>
    out.toBlob((b) => (b ? ok(b) : fail(new Error('PNG encoding failed'))), 'image/png'),
  );
}

export function SpatialView(props: { client: EngineClient }) {
  const [preset, setPreset] = useState(PRESET_INFO[0].id);
  const info = PRESET_INFO.find((p) => p.id === preset) ?? PRESET_INFO[0];
  const [field, setField] = useState(info.field);
  const [steps, setSteps] = useState(info.steps);
  const [run, setRun] = useState<SpatialRun | null>(null);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [glError, setGlError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const renderer = useRef<SpatialGl | null>(null);
  const probe = (window.__exonicheSpatial ??= {
    runs: 0,
    frames: 0,
    frame: 0,
    time: 0,
    draws: 0,
    drawMs: 0,
    workerMs: 0,
    webgl2: false,
  });

  const start = async (p = preset, fieldName = field, n = steps) => {
    setBusy(true);
    setPlaying(false);
    setError(null);
    try {
      const r = await props.client.request({
        kind: 'spatial',
        preset: p,
        steps: n,
        every: Math.max(1, Math.round(n / 30)),
        field: fieldName,
      });
      setRun(r);
      setFrame(r.frames.length - 1);
      probe.runs++;
      probe.frames = r.frames.length;
      probe.workerMs = r.ms;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const [perFrame, setPerFrame] = useState(false);
  const range = run
    ? fieldScale(perFrame && run.frames[frame] ? [run.frames[frame]] : run.frames)
    : ([0, 1] as const);
  const domain = run ? { w: run.grid.nx * run.grid.dx, h: run.grid.ny * run.grid.dy } : { w: 800, h: 400 };
  // At most 720 x 460 CSS px, the domain's aspect kept (the colour bar and controls stay on screen).
  const cssW = Math.min(720, Math.round((460 * domain.w) / domain.h));
  const cssH = Math.round((cssW * domain.h) / domain.w);

  useEffect(() => {
    const c = canvas.current;
    if (!c || renderer.current || glError) return;
    const gl = c.getContext('webgl2', { preserveDrawingBuffer: true, antialias: true });
    if (!gl) {
      setGlError(
        'WebGL2 is not available in this browser, so the spatial frames cannot be drawn here; the agents of a frame can still be saved as CSV.',
      );
      return;
    }
    try {
      renderer.current = new SpatialGl(gl);
      probe.webgl2 = true;
    } catch (e) {
      setGlError(e instanceof Error ? e.message : String(e));
    }
  });

  useEffect(() => {
    const r = renderer.current;
    const c = canvas.current;
    if (!r || !c || !run?.frames[frame]) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(cssW * dpr);
    c.height = Math.round(cssH * dpr);
    probe.drawMs = r.draw(run, frame, range);
    probe.draws++;
    probe.frame = frame;
    probe.time = run.frames[frame].time;
  }, [run, frame, cssW, cssH, perFrame]);

  useEffect(() => {
    if (!playing || !run) return;
    const t = setInterval(() => {
      setFrame((k) => {
        if (k + 1 >= run.frames.length) {
          setPlaying(false);
          return k;
        }
        return k + 1;
      });
    }, 200);
    return () => clearInterval(t);
  }, [playing, run]);

  const current = run?.frames[frame];
  const counts = current
    ? run.cellTypes.map((t, i) => ({ t, n: current.type.reduce((a, v) => a + (v === i ? 1 : 0), 0) }))
    : [];

  return (
    <div class="spatial">
      <form
        class="spatial-controls"
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <label for="spatial-preset">preset</label>
        <select
          id="spatial-preset"
          value={preset}
          onChange={(e) => {
            const id = (e.target as HTMLSelectElement).value;
            const p = PRESET_INFO.find((q) => q.id === id) ?? PRESET_INFO[0];
            setPreset(p.id);
            setField(p.field);
            setSteps(p.steps);
            setRun(null);
          }}
        >
          {PRESET_INFO.map((p) => (
            <option key={p.id} value={p.id}>
              {p.experiment}: {p.title}
            </option>
          ))}
        </select>
        <label for="spatial-field">field</label>
        <select
          id="spatial-field"
          value={field}
          onChange={(e) => {
            const name = (e.target as HTMLSelectElement).value;
            setField(name);
            if (run) void start(preset, name, steps);
          }}
        >
          {info.fields.map((f) => (
            <option key={f} value={f}>
              {f}
            </option>
          ))}
        </select>
        <label for="spatial-steps">steps of 6 min</label>
        <input
          id="spatial-steps"
          type="number"
          min={1}
          max={2000}
          step={1}
          value={steps}
          onInput={(e) => setSteps(Number((e.target as HTMLInputElement).value))}
        />
        <label>
          <input
            type="checkbox"
            checked={perFrame}
            onChange={(e) => setPerFrame((e.target as HTMLInputElement).checked)}
          />{' '}
          colour scale per frame
        </label>
        <button type="submit" disabled={busy} aria-busy={busy}>
          {busy ? 'running…' : 'Run'}
        </button>
      </form>
      <p class="meta">
        {info.description} Experiment {info.experiment} on the Experiments tab judges the full set-up.
      </p>
      {error ? (
        <p class="error" role="alert">
          {error}
        </p>
      ) : null}
      {glError ? (
        <p class="error" role="alert" data-testid="spatial-nogl">
          {glError}
        </p>
      ) : null}
      <figure class="spatial-figure" data-testid="spatial-figure">
        <canvas
          ref={canvas}
          style={{ width: `${cssW}px`, height: `${cssH}px`, display: glError ? 'none' : 'block' }}
          role="img"
          aria-label={
            current && run
              ? `${run.field.name} heat map with ${current.x.length} cells at ${hours(current.time)}`
              : 'spatial frame (run a preset)'
          }
          data-testid="spatial-canvas"
        />
        {run ? (
          <div class="colour-bar" data-testid="colour-bar">
            <div
              class="colour-bar-ramp"
              aria-hidden="true"
              style={{ background: GRADIENT, width: `${cssW}px` }}
            />
            <div class="colour-bar-labels" style={{ width: `${cssW}px` }}>
              <span>{fmtNum(range[0])}</span>
              <span>
                {run.field.name} ({run.field.unit}), scale over {perFrame ? 'this frame' : 'all frames'}
              </span>
              <span>{fmtNum(range[1])}</span>
            </div>
          </div>
        ) : null}
        <figcaption>
          <ul class="spatial-legend" aria-label="legend">
            {counts
              .filter(({ n }) => n > 0)
              .map(({ t, n }) => (
                <li key={t}>
                  <svg width="14" height="14" aria-hidden="true">
                    <circle cx="7" cy="7" r="6" fill={CELL_COLOURS[t] ?? UNKNOWN_COLOUR} stroke="#000" />
                  </svg>{' '}
                  {CELL_LABELS[t] ?? t}: {n}
                </li>
              ))}
            <li>
              <svg width="14" height="14" aria-hidden="true">
                <circle cx="7" cy="7" r="5" fill="none" stroke={CELL_COLOURS.lsc} stroke-width="3" />
              </svg>{' '}
              quiescent LSC (ring)
            </li>
            <li>
              <svg width="14" height="14" aria-hidden="true">
                <circle cx="7" cy="7" r="6" fill={CELL_COLOURS.lsc} stroke="#000" />
                <circle cx="7" cy="7" r="2" fill="#fff" />
              </svg>{' '}
              cycling LSC (white centre)
            </li>
          </ul>
        </figcaption>
      </figure>
      {run && current ? (
        <div class="spatial-time">
          <button
            type="button"
            onClick={() => {
              if (!playing && frame >= run.frames.length - 1) setFrame(0);
              setPlaying(!playing);
            }}
            aria-pressed={playing}
          >
            {playing ? 'Pause' : 'Play'}
          </button>
          <label for="spatial-time">time</label>
          <input
            id="spatial-time"
            type="range"
            min={0}
            max={run.frames.length - 1}
            step={1}
            value={frame}
            data-testid="spatial-time"
            aria-valuetext={hours(current.time)}
            onInput={(e) => {
              setPlaying(false);
              setFrame(Number((e.target as HTMLInputElement).value));
            }}
          />
          <output data-testid="spatial-time-label">
            {hours(current.time)} (frame {frame + 1} of {run.frames.length})
          </output>
          <button
            type="button"
            disabled={!!glError}
            onClick={async () => {
              if (canvas.current)
                save(
                  `spatial-${run.preset}-${run.field.name}-${Math.round(current.time)}min.png`,
                  await composePng(canvas.current, run, frame, range),
                );
            }}
          >
            Save frame as PNG
          </button>
          <button
            type="button"
            onClick={() =>
              save(
                `spatial-${run.preset}-agents-${Math.round(current.time)}min.csv`,
                frameCsv(run, frame),
                'text/csv',
              )
            }
          >
            Save agents as CSV
          </button>
          <small>
            worker {run.ms.toFixed(0)} ms ({run.msPerStep.toFixed(1)} ms per 6-min step); frame drawn in{' '}
            {probe.drawMs.toFixed(1)} ms
          </small>
        </div>
      ) : null}
    </div>
  );
}
