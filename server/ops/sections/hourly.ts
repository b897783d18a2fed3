/** Check-ins per local hour today (bars) against the 7-day average of each hour (line). */
import { esc } from '../../html.js';
import { localHour } from '../local-time.js';
import type { DashboardSection } from '../section.js';
import { AVERAGE_COLOR, TODAY_COLOR } from './colors.js';

export const hourlySection: DashboardSection = {
  id: 'hourly',
  width: 'full',
  render({ o, t }) {
    const empty = o.hourly.today.every((n) => n === 0) ? `<p class="muted">${esc(t.hourly.empty)}</p>` : '';
    return `<h2>${esc(t.hourly.title)}</h2>
<div class="legend"><span class="key bar" data-color="today"></span>${esc(t.hourly.today)} <span class="key line"></span>${esc(t.hourly.average)}</div>
<div class="chart tall" data-chart="hourly" role="img" aria-label="${esc(t.hourly.title)}"></div>${empty}`;
  },
  charts({ o, t }) {
    return [
      {
        id: 'hourly',
        kind: 'hours',
        title: t.hourly.title,
        highlight: localHour(o.timeZone, o.nowMs),
        labels: Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`),
        series: [
          { label: t.hourly.today, values: o.hourly.today, style: 'bars', color: TODAY_COLOR },
          { label: t.hourly.average, values: o.hourly.weekAverage, style: 'line', color: AVERAGE_COLOR },
        ],
      },
    ];
  },
};
