/**
 * The Spatial view (issue #11): a small 2D spatial niche from a preset (src/web/spatial-presets.ts, set-ups of the
 * SVE experiments) runs in the Worker and sends its frames; this view draws one frame with raw WebGL2: the selected
 * field as a heat map (an R32F texture mapped through a viridis lookup texture, one scale for all frames) under the
 * agents as point sprites coloured by type (Okabe-Ito), quiescent LSCs as rings and cycling LSCs with a white
 * centre. A time slider and play/pause walk the frames; the frame exports as PNG (heat map, colour bar, legend and
 * time composed on a 2D canvas) and its agents as CSV.
 *
 * "Open run…" shows the snapshots of an `exoniche spatial` run instead (a folder, picked files or a drop; decoded in
 * the snapshot Worker, snapshot-open.ts): the same drawing, slider and exports, with the run's facts
 * (summary.json, manifest.json) and, for a 3D run, a z-slice slider: the field's voxel layer k and the agents whose
 * centre lies in that layer's slab (snapshot-files.ts sliceRun).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { PRESET_INFO, type SpatialRun } from '../spatial-info.js';
import type { EngineClient } from './client.js';
import { save } from './download.js';
import { type LoadedRun, sliceRanges, sliceRun } from './snapshot-files.js';
import { type PickedFile, pickedFromDrop, pickedFromInput, SnapshotOpener } from './snapshot-open.js';
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
  /** Runs opened from files, the agents drawn in the frame shown, the z-slice (layer of layers). */
  loads: number;
  agents: number;
  layer: number;
  layers: number;
  /** The opened run: agents over all frames, voxels per frame, decode time in the Worker (ms), last error. */
  agentsLoaded: number;
  voxels: number;
  decodeMs: number;
  loadError: string;
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
  if (isnan(v)) { colour = vec4(0.85, 0.85, 0.85, 1.0); return; } // no field snapshot at this time
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
  caption: string,
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
    `${caption}, t = ${hours(run.frames[k].time)}; LSC ring = quiescent, white centre = cycling`,
    pad,
    y,
  );
  return await new Promise((ok, fail) =>
    out.toBlob((b) => (b ? ok(b) : fail(new Error('PNG encoding failed'))), 'image/png'),
  );
}

/** Domain extent (um) as "w × h" or "w × h × d". */
const extent = (r: LoadedRun) => {
  const g = r.grid;
  const parts = [g.nx * g.dx, g.ny * g.dy, ...(r.dims === 3 ? [g.nz * g.dz] : [])];
  return `${parts.map((v) => fmtNum(v)).join(' × ')} µm`;
};

/** The facts of an opened run (run folder, summary.json, manifest.json) as a definition list. */
function RunInfo(props: { run: LoadedRun; layer: number; shown: number }) {
  const r = props.run;
  const g = r.grid;
  const f = r.facts;
  const rows: [string, string][] = [
    ['run', r.name],
    [
      'domain',
      `${r.dims}D, ${extent(r)}${g.fromFields ? `, ${g.nx} × ${g.ny}${r.dims === 3 ? ` × ${g.nz}` : ''} voxels of ${fmtNum(g.dx)} µm` : ' (agents’ extent: no field snapshot)'}`,
    ],
    [
      'loaded',
      `${r.frames.length} time points, ${r.agentCount.toLocaleString('en')} agents, ${(r.voxelCount * r.fields.length).toLocaleString('en')} voxel values per time (${r.fields.length} fields); decoded in ${r.ms.toFixed(0)} ms`,
    ],
    ['files', `${r.read.length} read${r.ignored.length ? `, ${r.ignored.length} passed over` : ''}`],
  ];
  if (r.dims === 3)
    rows.push([
      'z-slice',
      `layer ${props.layer + 1} of ${g.nz}: z in [${fmtNum(g.z0 + props.layer * g.dz)}, ${fmtNum(g.z0 + (props.layer + 1) * g.dz)}) µm, ${props.shown} agents with their centre in this slab`,
    ]);
  if (f.version) rows.push(['version', `exoniche ${f.version}`]);
  if (f.seed !== undefined) rows.push(['seed', String(f.seed)]);
  if (f.optionsHash) rows.push(['options hash', f.optionsHash]);
  if (f.parameterHash) rows.push(['parameter hash', f.parameterHash]);
  if (f.input) rows.push(['input', f.input]);
  if (f.createdAt) rows.push(['created', f.createdAt]);
  if (f.durationMin !== undefined)
    rows.push([
      'duration',
      `${hours(f.durationMin)}${f.snapshotEveryMin ? `, a snapshot every ${hours(f.snapshotEveryMin)}` : ''}`,
    ]);
  if (f.counts)
    rows.push([
      'cells at the end',
      Object.entries(f.counts)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `${k} ${n}`)
        .join(', '),
    ]);
  return (
    <dl class="spatial-run-info meta" data-testid="spatial-run-info">
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'flex', gap: '0.5em' }}>
          <dt style={{ fontWeight: 'bold' }}>{k}</dt>
          <dd style={{ margin: 0 }}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** `webkitdirectory` is not in preact's input attributes (a boolean DOM property: true, not ''). */
const DIRECTORY = { webkitdirectory: true } as Record<string, boolean>;

export function SpatialView(props: { client: EngineClient }) {
  const [preset, setPreset] = useState(PRESET_INFO[0].id);
  const info = PRESET_INFO.find((p) => p.id === preset) ?? PRESET_INFO[0];
  const [field, setField] = useState(info.field);
  const [steps, setSteps] = useState(info.steps);
  const [presetRun, setPresetRun] = useState<SpatialRun | null>(null);
  const [loaded, setLoaded] = useState<LoadedRun | null>(null);
  const [loadedField, setLoadedField] = useState(0);
  const [layer, setLayer] = useState(0);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [busy, setBusy] = useState(false);
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [glError, setGlError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const renderer = useRef<SpatialGl | null>(null);
  const opener = useRef<SnapshotOpener | null>(null);
  const probe = (window.__exonicheSpatial ??= {
    runs: 0,
    frames: 0,
    frame: 0,
    time: 0,
    draws: 0,
    drawMs: 0,
    workerMs: 0,
    webgl2: false,
    loads: 0,
    agents: 0,
    layer: 0,
    layers: 1,
    agentsLoaded: 0,
    voxels: 0,
    decodeMs: 0,
    loadError: '',
  });
  useEffect(() => () => opener.current?.terminate(), []);

  // An opened run is shown as the renderer's SpatialRun for the field and z-slice chosen.
  const sliced = useMemo(
    () => (loaded ? sliceRun(loaded, loadedField, Math.min(layer, loaded.grid.nz - 1)) : null),
    [loaded, loadedField, layer],
  );
  const run = sliced ?? presetRun;

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
      setLoaded(null);
      setPresetRun(r);
      setFrame(r.frames.length - 1);
      probe.runs++;
      probe.frames = r.frames.length;
      probe.workerMs = r.ms;
      probe.layers = 1;
      probe.layer = 0;
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  /** Opens picked or dropped files; on any error nothing of them is shown (the view keeps what it had). */
  const open = async (files: PickedFile[], mode: 'folder' | 'files') => {
    if (files.length === 0) return;
    setOpening(true);
    setPlaying(false);
    setError(null);
    try {
      opener.current ??= new SnapshotOpener();
      const r = await opener.current.open(files, mode);
      const k = r.fields.findIndex((f) => f.name === field);
      setLoaded(r);
      setLoadedField(Math.max(0, k));
      setLayer(Math.floor(r.grid.nz / 2));
      setFrame(r.frames.length - 1);
      probe.loads++;
      probe.frames = r.frames.length;
      probe.layers = r.grid.nz;
      probe.agentsLoaded = r.agentCount;
      probe.voxels = r.voxelCount;
      probe.decodeMs = r.ms;
      probe.loadError = '';
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      probe.loadError = msg;
      setError(`Cannot open the run: ${msg}`);
    } finally {
      setOpening(false);
    }
  };

  const [perFrame, setPerFrame] = useState(false);
  const range = run
    ? fieldScale(
        perFrame && run.frames[frame]
          ? [run.frames[frame]]
          : loaded
            ? sliceRanges(loaded, loadedField)
            : run.frames,
      )
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
    const c = canvas.current;
    const f = run?.frames[frame];
    if (!run || !f) return;
    probe.frame = frame;
    probe.time = f.time;
    probe.agents = f.x.length;
    probe.layer = loaded ? Math.min(layer, loaded.grid.nz - 1) : 0;
    const r = renderer.current;
    if (!r || !c) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(cssW * dpr);
    c.height = Math.round(cssH * dpr);
    probe.drawMs = r.draw(run, frame, range);
    probe.draws++;
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
  const shownLayer = loaded ? Math.min(layer, loaded.grid.nz - 1) : 0;
  const slab = loaded && loaded.dims === 3 ? `-z${shownLayer}` : '';
  const caption = loaded
    ? `${loaded.name} (exoniche spatial run${loaded.dims === 3 ? `, z-slice ${shownLayer + 1} of ${loaded.grid.nz}: z ${fmtNum(loaded.grid.z0 + shownLayer * loaded.grid.dz)}-${fmtNum(loaded.grid.z0 + (shownLayer + 1) * loaded.grid.dz)} µm` : ''})`
    : run
      ? `${run.experiment} preset ${run.preset}`
      : '';

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
            setPresetRun(null);
            setLoaded(null);
          }}
        >
          {PRESET_INFO.map((p) => (
            <option key={p.id} value={p.id}>
              {p.experiment}: {p.title}
            </option>
          ))}
        </select>
        <label for="spatial-field">field</label>
        {loaded ? (
          <select
            id="spatial-field"
            value={String(loadedField)}
            disabled={loaded.fields.length === 0}
            onChange={(e) => setLoadedField(Number((e.target as HTMLSelectElement).value))}
          >
            {loaded.fields.length === 0 ? <option value="0">no field snapshot</option> : null}
            {loaded.fields.map((f, i) => (
              <option key={f.name} value={String(i)}>
                {f.name} ({f.unit})
              </option>
            ))}
          </select>
        ) : (
          <select
            id="spatial-field"
            value={field}
            onChange={(e) => {
              const name = (e.target as HTMLSelectElement).value;
              setField(name);
              if (presetRun) void start(preset, name, steps);
            }}
          >
            {info.fields.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        )}
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
      <div class="spatial-controls spatial-open" aria-busy={opening}>
        <span>Open run…</span>
        <label>
          folder{' '}
          <input
            type="file"
            multiple
            {...DIRECTORY}
            data-testid="spatial-open-folder"
            aria-label="open a run folder"
            disabled={opening}
            onChange={(e) => {
              const el = e.target as HTMLInputElement;
              void open(pickedFromInput(el.files), 'folder').finally(() => {
                el.value = '';
              });
            }}
          />
        </label>
        <label>
          snapshot files{' '}
          <input
            type="file"
            multiple
            accept=".arrow,.bin,.json"
            data-testid="spatial-open-files"
            aria-label="open snapshot files"
            disabled={opening}
            onChange={(e) => {
              const el = e.target as HTMLInputElement;
              void open(pickedFromInput(el.files), 'files').finally(() => {
                el.value = '';
              });
            }}
          />
        </label>
        <small>
          {opening
            ? 'decoding…'
            : 'the output folder of exoniche spatial, or agents-*.arrow / fields-*.bin files; or drop them on the picture'}
        </small>
      </div>
      {loaded ? (
        <RunInfo run={loaded} layer={shownLayer} shown={current?.x.length ?? 0} />
      ) : (
        <p class="meta">
          {info.description} Experiment {info.experiment} on the Experiments tab judges the full set-up.
        </p>
      )}
      {loaded && loaded.dims === 3 ? (
        <div class="spatial-controls">
          <label for="spatial-layer">z-slice</label>
          <input
            id="spatial-layer"
            type="range"
            min={0}
            max={loaded.grid.nz - 1}
            step={1}
            value={shownLayer}
            data-testid="spatial-layer"
            aria-valuetext={`layer ${shownLayer + 1} of ${loaded.grid.nz}`}
            onInput={(e) => setLayer(Number((e.target as HTMLInputElement).value))}
          />
          <output data-testid="spatial-layer-label">
            layer {shownLayer + 1} of {loaded.grid.nz}, z{' '}
            {fmtNum(loaded.grid.z0 + shownLayer * loaded.grid.dz)}–
            {fmtNum(loaded.grid.z0 + (shownLayer + 1) * loaded.grid.dz)} µm (of{' '}
            {fmtNum(loaded.grid.nz * loaded.grid.dz)} µm)
          </output>
        </div>
      ) : null}
      {error ? (
        <p class="error" role="alert" data-testid="spatial-error">
          {error}
        </p>
      ) : null}
      {glError ? (
        <p class="error" role="alert" data-testid="spatial-nogl">
          {glError}
        </p>
      ) : null}
      <figure
        class="spatial-figure"
        data-testid="spatial-figure"
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
        }}
        onDrop={(e) => {
          e.preventDefault();
          const dt = e.dataTransfer;
          if (dt) void pickedFromDrop(dt).then((p) => open(p.files, p.mode));
        }}
      >
        <canvas
          ref={canvas}
          style={{ width: `${cssW}px`, height: `${cssH}px`, display: glError ? 'none' : 'block' }}
          role="img"
          aria-label={
            current && run
              ? `${run.field.name} heat map with ${current.x.length} cells at ${hours(current.time)}`
              : 'spatial frame (run a preset or open a run)'
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
                {loaded?.dims === 3 ? ' (whole volume)' : ''}
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
            {loaded && current && Number.isNaN(current.fieldRange[0]) ? (
              <li>grey: no field snapshot at this time</li>
            ) : null}
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
                  `spatial-${run.preset}-${run.field.name}${slab}-${Math.round(current.time)}min.png`,
                  await composePng(canvas.current, run, frame, range, caption),
                );
            }}
          >
            Save frame as PNG
          </button>
          <button
            type="button"
            onClick={() =>
              save(
                `spatial-${run.preset}-agents${slab}-${Math.round(current.time)}min.csv`,
                frameCsv(run, frame),
                'text/csv',
              )
            }
          >
            Save agents as CSV
          </button>
          <small>
            {loaded
              ? `decoded in the snapshot worker in ${loaded.ms.toFixed(0)} ms; `
              : `worker ${run.ms.toFixed(0)} ms (${run.msPerStep.toFixed(1)} ms per 6-min step); `}
            frame drawn in {probe.drawMs.toFixed(1)} ms
          </small>
        </div>
      ) : null}
    </div>
  );
}
