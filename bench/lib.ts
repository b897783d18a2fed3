/**
 * Small benchmark toolkit: every figure is reported next to a floor measured in the same run,
 * as a ratio (STANDARDS: no absolute timings in tests; ratios survive slow machines).
 */
import { performance } from 'node:perf_hooks';

export interface Row {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  floor?: number;
  /** value / floor for rates (higher is better) or floor / value... stated per row in `ratioMeaning`. */
  ratio?: number;
  ratioMeaning?: string;
  /** The aim for `ratio` (e.g. "≤ 1.3"); `met` says whether this run reached it. */
  aim?: string;
  met?: boolean;
  /** Set on the row of a benchmark that failed: its error message (value is NaN). */
  error?: string;
}

/** A ratio row's verdict against its aim: "≤ x" (lower is better) or "≥ x". */
export function aimed(row: Row, aim: string): Row {
  const m = /^([≤≥])\s*([\d.]+)$/.exec(aim);
  if (!m || row.ratio === undefined) return { ...row, aim };
  const bound = Number(m[2]);
  return { ...row, aim, met: m[1] === '≤' ? row.ratio <= bound : row.ratio >= bound };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

export function latencyStats(samplesMs: number[]): { p50: number; p99: number; max: number } {
  const s = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

export async function timeIt<T>(fn: () => Promise<T> | T): Promise<{ ms: number; result: T }> {
  const t0 = performance.now();
  const result = await fn();
  return { ms: performance.now() - t0, result };
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function printTable(rows: Row[]): void {
  const cols = ['bench', 'metric', 'value', 'unit', 'floor', 'ratio', 'aim', 'met', 'ratioMeaning'] as const;
  const cell = (r: Row, c: (typeof cols)[number]): string => {
    if (c === 'ratioMeaning' && r.error) return r.error;
    const v = r[c];
    if (v === undefined) return '';
    if (typeof v === 'boolean') return v ? 'yes' : 'NO';
    return typeof v === 'number' ? String(round(v)) : String(v);
  };
  const cells = rows.map((r) => cols.map((c) => cell(r, c)));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (vals: readonly string[]) => vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of cells) console.log(line(row));
}
