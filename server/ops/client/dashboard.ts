/**
 * The operations room's page script (compiled by the server with esbuild, served from
 * /ops/assets/dashboard.js; uPlot is loaded before it as a global). It draws every chart the page
 * declares in #ops-charts into its `[data-chart]` element, keeps the charts sized to their cards,
 * and reloads the page every minute unless a tracing answer is shown or someone is typing.
 * The drawn data stays readable as `window.opsCharts[id]` (for people debugging, and for tests).
 */
import type UPlot from 'uplot';

declare const uPlot: typeof UPlot;

interface ChartSeries {
  label: string;
  values: (number | null)[];
  style: 'bars' | 'line';
  color: string | string[];
}

interface ChartSpec {
  id: string;
  kind: 'hours' | 'categories';
  labels: string[];
  series: ChartSeries[];
  title: string;
}

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

function heightOf(el: HTMLElement): number {
  if (el.classList.contains('tall')) return 280;
  if (el.classList.contains('short')) return 170;
  return 240;
}

function seriesOf(s: ChartSeries, barCount: number): UPlot.Series {
  if (s.style === 'line') {
    const color = Array.isArray(s.color) ? (s.color[0] ?? INK) : s.color;
    return { label: s.label, stroke: color, width: 2, dash: [6, 4], points: { show: false }, paths: uPlot.paths.spline?.() };
  }
  const colors = Array.isArray(s.color) ? s.color : null;
  const single = Array.isArray(s.color) ? (s.color[0] ?? INK) : s.color;
  const bars = uPlot.paths.bars?.({
    size: [barCount > 12 ? 0.72 : 0.6, 64],
    radius: [0.18, 0],
    ...(colors ? { disp: { fill: { unit: 3, values: () => colors }, stroke: { unit: 3, values: () => colors } } } : {}),
  });
  return { label: s.label, fill: single, stroke: single, width: 0, points: { show: false }, paths: bars };
}

function draw(spec: ChartSpec, el: HTMLElement): UPlot {
  const x = spec.labels.map((_, i) => i);
  const data = [x, ...spec.series.map((s) => s.values)] as UPlot.AlignedData;
  const hours = spec.kind === 'hours';
  const rotate = !hours && spec.labels.some((l) => l.length > 10) && spec.labels.length > 4;
  const axisX: UPlot.Axis = {
    stroke: INK,
    font: FONT,
    grid: { show: false },
    ticks: { show: false },
    incrs: [1],
    values: (_u, splits) => splits.map((v) => (hours ? (v % 3 === 0 ? String(v).padStart(2, '0') : '') : (spec.labels[v] ?? ''))),
    ...(rotate ? { rotate: -30, size: 70 } : {}),
  };
  const opts: UPlot.Options = {
    width: Math.max(240, el.clientWidth),
    height: heightOf(el),
    title: undefined,
    legend: { show: hours, live: true },
    cursor: { show: hours, points: { show: false }, drag: { x: false, y: false } },
    scales: { x: { time: false, range: [-0.5, x.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
    axes: [axisX, { stroke: INK, font: FONT, grid: { stroke: GRID, width: 1 }, ticks: { show: false }, size: 44 }],
    series: [{ label: hours ? '' : undefined, value: (_u, v) => (v == null ? '' : hours ? `${String(v).padStart(2, '0')}:00` : (spec.labels[v] ?? '')) }, ...spec.series.map((s) => seriesOf(s, x.length))],
  };
  el.textContent = '';
  const u = new uPlot(opts, data, el);
  window.opsCharts[spec.id] = { kind: spec.kind, labels: spec.labels, data: data as (number | null)[][], seriesLabels: spec.series.map((s) => s.label) };
  el.dataset.drawn = 'true';
  return u;
}

function start(): void {
  window.opsCharts = {};
  const block = document.getElementById('ops-charts');
  const specs = block?.textContent ? ((JSON.parse(block.textContent) as { charts: ChartSpec[] }).charts ?? []) : [];
  const drawn: { u: UPlot; el: HTMLElement }[] = [];
  for (const spec of specs) {
    const el = document.querySelector<HTMLElement>(`[data-chart="${CSS.escape(spec.id)}"]`);
    if (el) drawn.push({ u: draw(spec, el), el });
  }
  let resizeTimer: number | undefined;
  window.addEventListener('resize', () => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      for (const d of drawn) d.u.setSize({ width: Math.max(240, d.el.clientWidth), height: heightOf(d.el) });
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
