/**
 * The operations room's page script (compiled by the server with esbuild, served from
 * /assets/dashboard.js; uPlot is loaded before it as a global). It draws every chart the page
 * declares in #ops-charts into its `[data-chart]` element, keeps the charts sized to their cards,
 * and reloads the page every minute unless a tracing answer is shown or someone is typing.
 * The drawn data stays readable as `window.opsCharts[id]` (for people debugging, and for tests).
 */
import type UPlot from 'uplot';
// The chart shapes the server declares (type-only: nothing of the server is bundled).
import type { ChartSeries, ChartSpec } from '../section.js';

declare const uPlot: typeof UPlot;

interface DrawnChart {
  kind: ChartSpec['kind'];
  labels: string[];
  /** uPlot's aligned data: [x, series1, series2, …]. */
  data: (number | null)[][];
  seriesLabels: string[];
}

declare global {
  interface Window {
    opsCharts: Record<string, DrawnChart>;
  }
}

const REFRESH_MS = 60_000;
const INK = '#475569';
const GRID = '#e2e8f0';
const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

function heightOf(el: HTMLElement, spec: ChartSpec): number {
  if (spec.horizontal) return Math.max(170, spec.labels.length * 30 + 40);
  if (el.classList.contains('tall')) return 280;
  if (el.classList.contains('short')) return 170;
  return 240;
}

function seriesOf(s: ChartSeries, barCount: number): UPlot.Series {
  if (s.style === 'line') {
    const color = Array.isArray(s.color) ? (s.color[0] ?? INK) : s.color;
    return { label: s.label, stroke: color, width: 2, dash: [6, 4], points: { show: false } };
  }
  const colors = Array.isArray(s.color) ? s.color : null;
  const single = Array.isArray(s.color) ? (s.color[0] ?? INK) : s.color;
  const bars = uPlot.paths.bars?.({
    size: [barCount > 12 ? 0.72 : 0.62, 64],
    radius: [0.2, 0],
    ...(colors ? { disp: { fill: { unit: 3, values: () => colors }, stroke: { unit: 3, values: () => colors } } } : {}),
  });
  return { label: s.label, fill: single, stroke: single, width: 0, points: { show: false }, paths: bars };
}

/** Writes each bar's count at its end: people read the number instead of estimating the height. */
function valueLabels(spec: ChartSpec): (u: UPlot) => void {
  return (u) => {
    const ctx = u.ctx;
    const pr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.font = `600 ${11 * pr}px system-ui, sans-serif`;
    ctx.fillStyle = '#334155';
    spec.series.forEach((s) => {
      if (s.style !== 'bars') return;
      s.values.forEach((v, i) => {
        if (v == null || v === 0) return;
        const x = u.valToPos(i, 'x', true);
        const y = u.valToPos(v, 'y', true);
        if (spec.horizontal) {
          ctx.textAlign = 'left';
          ctx.textBaseline = 'middle';
          ctx.fillText(String(v), y + 6 * pr, x);
        } else {
          ctx.textAlign = 'center';
          ctx.textBaseline = 'bottom';
          ctx.fillText(String(v), x, y - 4 * pr);
        }
      });
    });
    ctx.restore();
  };
}

/** Shades the highlighted category (the hour we are in) behind the bars. */
function shade(spec: ChartSpec): (u: UPlot) => void {
  return (u) => {
    if (spec.highlight === undefined || spec.horizontal) return;
    const left = u.valToPos(spec.highlight - 0.5, 'x', true);
    const right = u.valToPos(spec.highlight + 0.5, 'x', true);
    u.ctx.save();
    u.ctx.fillStyle = 'rgba(37, 99, 235, 0.07)';
    u.ctx.fillRect(left, u.bbox.top, right - left, u.bbox.height);
    u.ctx.restore();
  };
}

function draw(spec: ChartSpec, el: HTMLElement): UPlot {
  const x = spec.labels.map((_, i) => i);
  const data = [x, ...spec.series.map((s) => s.values)] as UPlot.AlignedData;
  const hours = spec.kind === 'hours';
  const horizontal = spec.horizontal === true;
  const axisX: UPlot.Axis = {
    show: !spec.hideCategoryAxis,
    stroke: INK,
    font: FONT,
    grid: { show: false },
    ticks: { show: false },
    // One tick per category (per hour), whatever the spacing: labels are not a numeric scale.
    splits: () => x,
    gap: 6,
    values: (_u, splits) => splits.map((v) => (hours ? (v % 3 === 0 ? `${String(v).padStart(2, '0')}h` : '') : (spec.labels[v] ?? ''))),
    ...(horizontal ? { side: 3, size: (u: UPlot, values: string[] | null) => measure(u, values) } : {}),
  };
  const axisY: UPlot.Axis = { stroke: INK, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { show: false }, size: 40, ...(horizontal ? { side: 2, size: 28 } : {}) };
  const opts: UPlot.Options = {
    width: Math.max(240, el.clientWidth),
    height: heightOf(el, spec),
    legend: { show: false },
    cursor: { show: false },
    padding: [18, horizontal ? 36 : 8, 0, 0],
    scales: {
      x: { time: false, range: [-0.5, x.length - 0.5], ...(horizontal ? { ori: 1, dir: -1 } : {}) },
      y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.12))], ...(horizontal ? { ori: 0 } : {}) },
    },
    axes: [axisX, axisY],
    series: [{}, ...spec.series.map((s) => seriesOf(s, x.length))],
    hooks: { drawClear: [shade(spec)], draw: [valueLabels(spec)] },
  };
  el.textContent = '';
  const u = new uPlot(opts, data, el);
  window.opsCharts[spec.id] = { kind: spec.kind, labels: spec.labels, data: data as (number | null)[][], seriesLabels: spec.series.map((s) => s.label) };
  el.dataset.drawn = 'true';
  return u;
}

/** Width of the widest category label (CSS px) plus a gap: room for the left axis. */
function measure(u: UPlot, values: string[] | null): number {
  if (!values) return 40;
  const ctx = u.ctx;
  ctx.save();
  ctx.font = FONT;
  const w = Math.max(...values.map((v) => ctx.measureText(v).width));
  ctx.restore();
  return Math.min(220, Math.ceil(w) + 16);
}

function start(): void {
  window.opsCharts = {};
  const block = document.getElementById('ops-charts');
  const specs = block?.textContent ? ((JSON.parse(block.textContent) as { charts: ChartSpec[] }).charts ?? []) : [];
  const drawn: { u: UPlot; el: HTMLElement; spec: ChartSpec }[] = [];
  for (const spec of specs) {
    const el = document.querySelector<HTMLElement>(`[data-chart="${CSS.escape(spec.id)}"]`);
    if (el) drawn.push({ u: draw(spec, el), el, spec });
  }
  let resizeTimer: number | undefined;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      for (const d of drawn) d.u.setSize({ width: Math.max(240, d.el.clientWidth), height: heightOf(d.el, d.spec) });
    }, 150);
  });
  document.body.dataset.chartsReady = 'true';
  window.setInterval(() => {
    const typing = document.activeElement instanceof HTMLInputElement;
    if (!document.body.dataset.tracing && !typing && document.visibilityState === 'visible') window.location.reload();
  }, REFRESH_MS);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
