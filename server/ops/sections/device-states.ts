/** Devices by state: each device counted once, under its worst problem. */
import { esc } from '../../html.js';
import { DEVICE_STATES } from '../fleet.js';
import type { DashboardSection } from '../section.js';
import { STATE_COLOR } from './colors.js';

export const deviceStatesSection: DashboardSection = {
  id: 'device-states',
  width: 'quarter',
  render({ o, t, f }) {
    const rows = DEVICE_STATES.filter((s) => s === 'ok' || o.states[s] > 0)
      .map((s) => `<li><span class="dot" data-state="${s}"></span>${esc(t.state[s])}<b>${esc(f.num(o.states[s]))}</b></li>`)
      .join('');
    return `<h2>${esc(t.states.title)}</h2><div class="chart short" data-chart="device-states" role="img" aria-label="${esc(t.states.title)}"></div><ul class="tally">${rows}</ul>`;
  },
  charts({ o, t }) {
    return [
      {
        id: 'device-states',
        kind: 'categories',
        hideCategoryAxis: true,
        title: t.states.title,
        labels: DEVICE_STATES.map((s) => t.state[s]),
        series: [{ label: t.states.count, values: DEVICE_STATES.map((s) => o.states[s]), style: 'bars', color: DEVICE_STATES.map((s) => STATE_COLOR[s]) }],
      },
    ];
  },
};
