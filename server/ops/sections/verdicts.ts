/** Today's verdict mix: accepted, referred, rejected. */
import { esc } from '../../html.js';
import { VERDICTS } from '../overview.js';
import type { DashboardSection } from '../section.js';
import { VERDICT_COLOR } from './colors.js';

export const verdictsSection: DashboardSection = {
  id: 'verdicts',
  width: 'quarter',
  render({ o, t, f }) {
    const total = VERDICTS.reduce((a, v) => a + o.verdicts[v], 0);
    const rows = VERDICTS.map((v) => {
      const pct = total ? Math.round((o.verdicts[v] / total) * 100) : 0;
      return `<li><span class="dot" data-verdict="${v}"></span>${esc(t.verdict[v])}<b>${esc(f.num(o.verdicts[v]))}</b><small>${pct}%</small></li>`;
    }).join('');
    return `<h2>${esc(t.verdicts.title)}</h2><div class="chart short" data-chart="verdicts" role="img" aria-label="${esc(t.verdicts.title)}"></div><ul class="tally">${rows}</ul>`;
  },
  charts({ o, t }) {
    return [
      {
        id: 'verdicts',
        kind: 'categories',
        hideCategoryAxis: true,
        title: t.verdicts.title,
        labels: VERDICTS.map((v) => t.verdict[v]),
        series: [{ label: t.verdicts.count, values: VERDICTS.map((v) => o.verdicts[v]), style: 'bars', color: VERDICTS.map((v) => VERDICT_COLOR[v]) }],
      },
    ];
  },
};
