/**
 * What a part of the operations room is: one file per section under sections/, listed once in
 * sections/index.ts. A section renders its HTML (every value through `esc`) and may declare
 * charts; the page ships chart data as JSON and the browser script draws each one with uPlot
 * into the element `<div data-chart="ID">` the section rendered. Adding a section = adding a file
 * and a line to the list; no other file changes.
 */
import type { Lang } from '../i18n.js';
import type { Formatters } from './format.js';
import type { Overview } from './overview.js';
import type { OpsStrings } from './strings.js';
import type { TraceView } from './trace-view.js';
import type { FleetSort } from './fleet.js';

/** One series of a chart: bars (one colour per point allowed) or a line. */
export interface ChartSeries {
  label: string;
  values: (number | null)[];
  style: 'bars' | 'line';
  /** CSS colour of the series, or one per point (bars only). */
  color: string | string[];
}

/**
 * A chart the browser draws. `hours`: x = local hour 0..23 of today. `categories`: x = the
 * labels, in order.
 */
export interface ChartSpec {
  id: string;
  kind: 'hours' | 'categories';
  labels: string[];
  series: ChartSeries[];
  /** Accessible summary of the whole chart. */
  title: string;
  /** Categories down the side, bars to the right (long labels such as checkpoint ids). */
  horizontal?: boolean;
  /** Hide the category axis (when a legend or tally beside the chart names the bars). */
  hideCategoryAxis?: boolean;
  /** Index of the category to shade (the current hour). */
  highlight?: number;
}

export interface SectionContext {
  o: Overview;
  t: OpsStrings;
  lang: Lang;
  f: Formatters;
  /** Builds a dashboard URL keeping the language and sort order (never a token); `params` override/add. */
  href(params: Record<string, string>, fragment?: string): string;
  sort: FleetSort;
  /** The tracing form's input and answer (answer undefined until a query was sent). */
  trace: TraceView;
}

export interface DashboardSection {
  id: string;
  /** Grid width: a whole row, half of it, or a quarter. */
  width: 'full' | 'half' | 'quarter';
  render(c: SectionContext): string;
  charts?(c: SectionContext): ChartSpec[];
}
