/** Today's check-ins per checkpoint, busiest first (the chart shows the top 12). */
import { esc } from '../../html.js';
import type { DashboardSection } from '../section.js';
import { TODAY_COLOR } from './colors.js';

const SHOWN = 12;

export const checkpointsSection: DashboardSection = {
  id: 'checkpoints',
  width: 'half',
  render({ o, t, f }) {
    const rest = o.byCheckpoint.length - SHOWN;
    const more = rest > 0 ? `<p class="muted">+ ${esc(f.num(rest))} ${esc(t.checkpoints.more)}</p>` : '';
    const body = o.byCheckpoint.length
      ? `<div class="chart" data-chart="checkpoints" role="img" aria-label="${esc(t.checkpoints.title)}"></div>${more}`
      : `<p class="muted">${esc(t.checkpoints.empty)}</p>`;
    return `<h2>${esc(t.checkpoints.title)}</h2>${body}`;
  },
  charts({ o, t }) {
    const top = o.byCheckpoint.slice(0, SHOWN);
    if (!top.length) return [];
    return [
      {
        id: 'checkpoints',
        kind: 'categories',
        horizontal: true,
        title: t.checkpoints.title,
        labels: top.map((c) => c.checkpointId || '—'),
        series: [{ label: t.checkpoints.count, values: top.map((c) => c.count), style: 'bars', color: TODAY_COLOR }],
      },
    ];
  },
};
