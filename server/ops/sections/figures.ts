/** The headline figures: check-ins today against the 7-day average, active points, attention. */
import { esc } from '../../html.js';
import type { DashboardSection } from '../section.js';

export const figuresSection: DashboardSection = {
  id: 'figures',
  width: 'full',
  render({ o, t, f }) {
    const attention = o.fleet.filter((d) => d.state !== 'ok').length;
    const avg = o.weekDailyAverage;
    const delta = avg > 0 ? Math.round(((o.today.checkins - avg) / avg) * 100) : null;
    const deltaText = delta === null ? '' : `<span class="delta ${delta >= 0 ? 'up' : 'down'}">${delta >= 0 ? '▲' : '▼'} ${Math.abs(delta)}% ${esc(t.figures.vsAverage)}</span>`;
    const card = (value: string, label: string, extra = '', cls = '') =>
      `<div class="figure ${cls}"><div class="value">${value}</div><div class="label">${esc(label)}</div>${extra}</div>`;
    return `<div class="figures">
${card(esc(f.num(o.today.checkins)), t.figures.checkinsToday, deltaText, 'primary')}
${card(esc(f.num(avg)), t.figures.weekAverage)}
${card(esc(f.num(o.today.devices)), t.figures.scanPoints)}
${card(esc(f.num(o.today.checkpoints)), t.figures.checkpoints)}
${card(esc(f.num(attention)), t.figures.attention, '', attention ? 'alert' : 'good')}
</div>`;
  },
};
