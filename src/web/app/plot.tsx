/**
 * One PlotSpec on screen with uPlot (canvas; fast enough to redraw on every slider step), with the response lines,
 * milestone markers and therapy/phase strips drawn in a draw hook, and the exports (PNG, SVG, CSV) of the same
 * spec. A new spec with the same series re-uses the chart (setData); `onDrawn` fires after each draw, which is
 * where the slider -> redraw time is measured.
 */
import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { specToCsv } from './csv.js';
import { save, svgToPng } from './download.js';
import type { PlotSpec } from './plot-spec.js';
import { formatTick, specToSvg } from './svg.js';

const HEIGHT = 300;
const stepped = uPlot.paths.stepped?.({ align: 1 });

/** uPlot data: the x column and one column per series, null where a value is missing (or <= 0 on a log axis). */
function toData(spec: PlotSpec): uPlot.AlignedData {
  const cols = spec.series.map((s) => {
    const out = new Array<number | null>(s.values.length);
    for (let i = 0; i < s.values.length; i++) {
      const v = s.values[i];
      out[i] = Number.isFinite(v) && (!spec.yLog || v > 0) ? v : null;
    }
    return out;
  });
  return [Array.from(spec.x), ...cols];
}

/** Canvas overlays: strips (therapy, phase) above the plot area, response lines, milestone markers. */
function drawOverlays(u: uPlot, spec: PlotSpec) {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const px = devicePixelRatio || 1;
  ctx.save();
  for (const b of spec.bands) {
    const a = Math.max(u.valToPos(b.from, 'x', true), left);
    const e = Math.min(u.valToPos(b.to, 'x', true), left + width);
    if (!(e > a)) continue;
    ctx.fillStyle = b.color;
    ctx.strokeStyle = '#888';
    ctx.lineWidth = 0.5 * px;
    const y = top + b.row * 7 * px;
    ctx.fillRect(a, y, e - a, 6 * px);
    ctx.strokeRect(a, y, e - a, 6 * px);
  }
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  ctx.textAlign = 'right';
  for (const l of spec.hLines) {
    const y = u.valToPos(l.value, 'y', true);
    if (!(y >= top && y <= top + height)) continue;
    ctx.strokeStyle = l.color;
    ctx.fillStyle = l.color;
    ctx.setLineDash([4 * px, 4 * px]);
    ctx.lineWidth = px;
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
    ctx.fillText(l.label, left + width - 4 * px, y - 3 * px);
  }
  ctx.setLineDash([]);
  for (const m of spec.markers) {
    const x = u.valToPos(m.x, 'x', true);
    const y = Math.min(Math.max(u.valToPos(m.y, 'y', true), top), top + height);
    const r = 6 * px;
    ctx.fillStyle = m.color;
    ctx.strokeStyle = '#000';
    ctx.lineWidth = px;
    ctx.beginPath();
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
    ctx.closePath();
    ctx.fill();
    ctx.stroke();
  }
  ctx.restore();
}

function options(spec: PlotSpec, width: number, specRef: { current: PlotSpec }, onDrawn?: () => void) {
  const opts: uPlot.Options = {
    width,
    height: HEIGHT,
    scales: { x: { time: false }, y: { distr: spec.yLog ? 3 : 1 } },
    axes: [
      { label: spec.xLabel, values: (_u, ticks) => ticks.map((v) => (v == null ? '' : formatTick(v))) },
      {
        label: spec.yLabel,
        size: 64,
        values: (_u, ticks) => ticks.map((v) => (v == null ? '' : formatTick(v))),
      },
    ],
    series: [
      { label: 'month' },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 1.5,
        dash: [...s.dash],
        ...(s.points
          ? { paths: () => null, points: { show: true, size: 7, fill: s.color, stroke: s.color } }
          : { points: { show: false }, ...(spec.stepped ? { paths: stepped } : {}) }),
      })),
    ],
    legend: { live: true },
    hooks: {
      draw: [
        (u) => {
          drawOverlays(u, specRef.current);
          onDrawn?.();
        },
      ],
    },
  };
  return opts;
}

const signature = (s: PlotSpec) => `${s.id}|${s.yLog}|${s.series.map((x) => x.id).join(',')}`;

export function Plot(props: { spec: PlotSpec; onDrawn?: () => void }) {
  const { spec } = props;
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const sig = useRef('');
  const specRef = useRef(spec);
  const drawn = useRef(props.onDrawn);
  specRef.current = spec;
  drawn.current = props.onDrawn;

  // Layout effect: the chart updates in the same task as the render (no wait for a paint), so a slider step
  // reaches the canvas as soon as the Worker answers.
  useLayoutEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = Math.max(320, Math.min(el.clientWidth || 800, 1100));
    if (chart.current && sig.current === signature(spec)) {
      chart.current.setData(toData(spec));
      return;
    }
    chart.current?.destroy();
    chart.current = new uPlot(
      options(spec, width, specRef, () => drawn.current?.()),
      toData(spec),
      el,
    );
    sig.current = signature(spec);
  }, [spec]);

  useEffect(() => {
    const onResize = () => {
      const el = host.current;
      if (el && chart.current)
        chart.current.setSize({ width: Math.max(320, Math.min(el.clientWidth, 1100)), height: HEIGHT });
    };
    addEventListener('resize', onResize);
    return () => {
      removeEventListener('resize', onResize);
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);

  const file = spec.id;
  return (
    <figure class="plot" data-plot={spec.id} aria-label={spec.title}>
      <figcaption>
        <span class="plot-title">{spec.title}</span>
        <span class="exports">
          <button
            type="button"
            aria-label={`Download ${spec.title} as PNG`}
            onClick={async () => save(`${file}.png`, await svgToPng(specToSvg(spec)))}
          >
            PNG
          </button>
          <button
            type="button"
            aria-label={`Download ${spec.title} as SVG`}
            onClick={() => save(`${file}.svg`, specToSvg(spec), 'image/svg+xml')}
          >
            SVG
          </button>
          <button
            type="button"
            aria-label={`Download the data of ${spec.title} as CSV`}
            onClick={() => save(`${file}.csv`, specToCsv(spec), 'text/csv')}
          >
            CSV
          </button>
        </span>
      </figcaption>
      <div ref={host} class="plot-host" />
    </figure>
  );
}
