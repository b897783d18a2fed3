/**
 * The fleet table: every enrolled device with the checkpoint (and direction) its latest heartbeat
 * reported, its latest heartbeat, queue, clock offset and trust bundle, sortable by problem
 * through plain links (works without scripts).
 */
import { esc } from '../../html.js';
import { sortFleet } from '../fleet.js';
import type { FleetDevice, FleetSort } from '../fleet.js';
import type { DashboardSection, SectionContext } from '../section.js';

function header(c: SectionContext, sort: FleetSort, label: string): string {
  const current = c.sort === sort;
  return `<th${current ? ' aria-sort="descending" class="sorted"' : ''}><a href="${esc(c.href({ sort }, 'fleet'))}"${current ? ` title="${esc(c.t.fleet.sortedBy)}"` : ''}>${esc(label)}${current ? ' ▾' : ''}</a></th>`;
}

function row(c: SectionContext, d: FleetDevice): string {
  const { t, f } = c;
  const bad = (p: FleetDevice['problems'][number]) => (d.problems.includes(p) ? ' class="bad"' : '');
  const chips = d.problems.length
    ? d.problems.map((p) => `<span class="chip" data-state="${p}">${esc(t.state[p])}</span>`).join(' ')
    : `<span class="chip" data-state="ok">${esc(t.fleet.ok)}</span>`;
  const heartbeat = d.lastHeartbeatMs === null ? esc(t.fleet.never) : `${esc(f.ago(d.lastHeartbeatMs))}<small>${esc(f.dateTime(d.lastHeartbeatMs))}</small>`;
  const queue =
    d.queueDepth === null
      ? esc(t.fleet.none)
      : `${esc(f.num(d.queueDepth))}${d.oldestPendingAt && d.queueAgeMs !== null ? `<small>${esc(t.fleet.oldestPending)} ${esc(f.ago(Date.parse(d.oldestPendingAt)))}</small>` : ''}${d.problems.includes('queue-age-unreadable') ? `<small data-queue-age="unreadable">${esc(t.fleet.queueAgeUnreadable)}</small>` : ''}`;
  const clock = d.clockOffsetMs === null ? esc(t.fleet.none) : esc(f.offset(d.clockOffsetMs));
  const trustMs = d.trustIssuedAt ? Date.parse(d.trustIssuedAt) : NaN;
  const trust = Number.isFinite(trustMs) ? `${esc(f.ago(trustMs))}<small>${esc(f.dateTime(trustMs))}</small>` : esc(t.fleet.none);
  const dir = d.reportedDirection ? (t.fleetPage.direction[d.reportedDirection] ?? d.reportedDirection) : null;
  const place = d.reportedCheckpointId ? `<b data-checkpoint="${esc(d.reportedCheckpointId)}">${esc(d.reportedCheckpointId)}</b>${dir ? `<small>${esc(dir)}</small>` : ''}` : `<span class="muted">${esc(t.fleetPage.unknown)}</span>`;
  return `<tr data-device="${esc(d.deviceId)}" data-state="${d.state}">
<td><b>${esc(d.name)}</b><small class="mono">${esc(d.deviceId)}</small></td><td>${place}</td><td>${chips}</td>
<td${bad('stale-heartbeat')}${bad('never-seen')}>${heartbeat}</td><td class="num"${bad('old-queue')}${bad('queue-age-unreadable')}>${queue}</td>
<td class="num"${bad('clock-offset')}>${clock}</td><td${bad('old-trust')}>${trust}</td><td class="mono">${esc(d.version ?? t.fleet.none)}</td></tr>`;
}

export const fleetSection: DashboardSection = {
  id: 'fleet',
  width: 'full',
  render(c) {
    const { o, t } = c;
    const rows = sortFleet(o.fleet, c.sort)
      .map((d) => row(c, d))
      .join('');
    return `<h2>${esc(t.fleet.title)} <small class="muted">${esc(c.f.num(o.fleet.length))}</small></h2><p class="muted">${esc(t.fleet.hint)}</p>
<div class="scroll"><table class="fleet"><thead><tr>${header(c, 'name', t.fleet.device)}<th>${esc(t.fleet.checkpoint)}</th>${header(c, 'problem', t.fleet.problems)}${header(c, 'heartbeat', t.fleet.heartbeat)}${header(c, 'queue', t.fleet.queue)}${header(c, 'clock', t.fleet.clock)}${header(c, 'trust', t.fleet.trust)}<th>${esc(t.fleet.version)}</th></tr></thead>
<tbody>${rows || `<tr><td colspan="8" class="muted">${esc(t.fleet.empty)}</td></tr>`}</tbody></table></div>`;
  },
};
