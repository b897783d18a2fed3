/**
 * The fleet page (GET /dashboard/fleet) in the room's language and look: the figures, every device
 * on a row that tells it apart from the others (short device id with the full one on hover,
 * checkpoint and where it came from, direction and profile, hostname, version, last heartbeat as
 * an age and a local time, status, trust bundle age) with a Revoke… button that leads to a
 * confirmation page (./fleet-confirm.ts), devices by group and version, configuration profiles,
 * the provisioning card form and the cards issued, and the releases. Every value through `esc`.
 */
import { DEFAULT_CARD_TTL_HOURS, PROVISIONING_LIMITS } from '../../src/credentials/provisioning/index.js';
import { esc } from '../html.js';
import type { OpsStrings } from './strings.js';
import type { ManagedDevice, FleetView } from './fleet-view.js';
import { deviceIdHtml, fleetShell, localTime, shortId } from './fleet-shell.js';
import type { FleetPageContext } from './fleet-shell.js';

/** The revoke form of a row: its first POST only asks for confirmation (no `confirm` field). */
export function revokeButton(c: FleetPageContext, d: ManagedDevice): string {
  // Every row's button reads the same; its accessible name says which device it is.
  const label = `${c.t.fleetPage.revoke} ${d.name} (${d.checkpoint ?? c.t.fleetPage.unknown}, ${shortId(d.deviceId)})`;
  return `<form method="post" action="/dashboard/devices/${encodeURIComponent(d.deviceId)}/revoke"><input type="hidden" name="lang" value="${esc(c.lang)}"><button type="submit" class="danger-outline" data-action="revoke" aria-label="${esc(label)}">${esc(c.t.fleetPage.revoke)}</button></form>`;
}

/** Checkpoint cell: the id and where the server learnt it, or "unknown". */
export function checkpointHtml(c: FleetPageContext, d: ManagedDevice): string {
  const p = c.t.fleetPage;
  if (!d.checkpoint) return `<span class="muted">${esc(p.unknown)}</span>`;
  const source = d.placeSource === 'profile' ? p.fromProfile : d.placeSource === 'kiosk' ? p.fromKiosk : p.fromCard;
  return `<b data-checkpoint="${esc(d.checkpoint)}">${esc(d.checkpoint)}</b><small>${esc(source)}</small>`;
}

/** Direction and kiosk profile, as far as known. */
export function modeHtml(c: FleetPageContext, d: ManagedDevice): string {
  const p = c.t.fleetPage;
  const parts = [d.direction ? (p.direction[d.direction] ?? d.direction) : null, d.profile ? (p.profile[d.profile] ?? d.profile) : null].filter((x): x is string => x !== null);
  return parts.length ? esc(parts.join(' · ')) : `<span class="muted">—</span>`;
}

/** Last heartbeat: "5 min ago" and the local time under it, or "never". */
export function heartbeatHtml(c: FleetPageContext, d: ManagedDevice): string {
  if (d.lastHeartbeatMs === null) return esc(c.t.fleet.never);
  return `${esc(c.f.ago(d.lastHeartbeatMs))}<small>${esc(c.f.dateTime(d.lastHeartbeatMs))}</small>`;
}

/** Status chips: revoked, else each problem worst first, else OK. */
export function statusHtml(c: FleetPageContext, d: ManagedDevice): string {
  const { t } = c;
  if (d.revokedAt) return `<span class="chip" data-state="revoked">${esc(t.fleetPage.revoked)}</span><small>${esc(t.fleetPage.revokedAt)} ${esc(localTime(c, d.revokedAt))}</small>`;
  if (!d.problems.length) return `<span class="chip" data-state="ok">${esc(t.fleet.ok)}</span>`;
  return d.problems.map((p) => `<span class="chip" data-state="${p}">${esc(t.state[p])}</span>`).join(' ');
}

function trustHtml(c: FleetPageContext, d: ManagedDevice): string {
  const ms = d.trustIssuedAt ? Date.parse(d.trustIssuedAt) : NaN;
  return Number.isFinite(ms) ? `${esc(c.f.ago(ms))}<small>${esc(c.f.dateTime(ms))}</small>` : `<span class="muted">—</span>`;
}

function deviceRow(c: FleetPageContext, v: FleetView, d: ManagedDevice): string {
  const p = c.t.fleetPage;
  const bad = (...problems: ManagedDevice['problems']) => (!d.revokedAt && problems.some((x) => d.problems.includes(x)) ? ' class="bad"' : '');
  const manual = d.manualUpdate && v.latestRelease ? `<small class="error">${esc(p.manualUpdate(v.latestRelease.version))}</small>` : '';
  // Group and configuration ride under the hostname and version: a row wider than the screen hides its Revoke… button.
  const group = d.group ? `<small>${esc(p.col.group)}: ${esc(d.group)}</small>` : '';
  const config = `<small${d.configPending ? ' class="error"' : ''} data-config>${esc(p.config)} ${esc(d.appliedConfigVersion ?? '0')} / ${d.configVersion}</small>`;
  return `<tr data-device="${esc(d.deviceId)}" data-state="${d.revokedAt ? 'revoked' : d.state}">
<td>${deviceIdHtml(d.deviceId)}</td><td>${checkpointHtml(c, d)}</td><td>${modeHtml(c, d)}</td><td><span data-hostname>${esc(d.name)}</span>${group}</td>
<td><span class="mono">${esc(d.version ?? '—')}</span>${d.updateState ? `<small>${esc(d.updateState)}</small>` : ''}${manual}${config}</td>
<td${bad('stale-heartbeat', 'never-seen')}>${heartbeatHtml(c, d)}</td><td>${statusHtml(c, d)}</td><td${bad('old-trust')}>${trustHtml(c, d)}</td>
<td>${d.revokedAt ? '' : revokeButton(c, d)}</td></tr>`;
}

function figure(kind: string, value: string, label: string, tone = ''): string {
  return `<div class="figure${tone ? ` ${tone}` : ''}"><div class="value" data-figure="${kind}">${esc(value)}</div><div class="label">${esc(label)}</div></div>`;
}

function versionTable(c: FleetPageContext, devices: readonly ManagedDevice[]): string {
  const p = c.t.fleetPage;
  const byGroup = new Map<string, Map<string, number>>();
  for (const d of devices) {
    if (d.revokedAt) continue;
    const g = d.group ?? p.noGroup;
    const m = byGroup.get(g) ?? new Map<string, number>();
    const version = d.version ?? p.noHeartbeat;
    m.set(version, (m.get(version) ?? 0) + 1);
    byGroup.set(g, m);
  }
  const rows = [...byGroup].flatMap(([g, m]) => [...m].map(([v, n]) => `<tr><td>${esc(g)}</td><td class="mono">${esc(v)}</td><td class="num">${esc(c.f.num(n))}</td></tr>`));
  // Only active devices are counted here: with every device revoked the table is empty, but the
  // fleet is not, and saying "no devices enrolled" would send the reader looking for a lost database.
  const empty = devices.length
    ? `${esc(p.allRevoked(c.f.num(devices.length)))} <a href="#devices" data-link="revoked-devices">${esc(p.seeRevoked(c.f.num(devices.length)))}</a>`
    : esc(p.noDevices);
  return `<table data-section="fleet-versions"><thead><tr><th>${esc(p.col.group)}</th><th>${esc(p.col.version)}</th><th class="num">${esc(p.count)}</th></tr></thead><tbody>${rows.join('') || `<tr><td colspan="3" class="muted" data-empty="${devices.length ? 'all-revoked' : 'none'}">${empty}</td></tr>`}</tbody></table>`;
}

/** The card form as it was sent, and what was wrong with it (shown above the form, in the page's language). */
export interface CardFormState {
  problem: keyof OpsStrings['fleetPage']['cardErrors'];
  checkpoint: string;
  direction: string;
  ttlHours: string;
}

function cardsSection(c: FleetPageContext, v: FleetView, sent?: CardFormState): string {
  const p = c.t.fleetPage;
  const selected = (d: string) => (sent?.direction === d ? ' selected' : '');
  const dir = (d: string | undefined) => (d ? (p.direction[d] ?? d) : '—');
  const names = new Map(v.devices.map((d) => [d.deviceId, d.name]));
  const user = (id: string | undefined) => (id ? `${names.get(id) ?? '?'} (${shortId(id)})` : '—');
  const use = (card: FleetView['cards'][number]) => {
    if (card.usedAt) return `<span class="chip" data-state="ok" title="${esc(card.usedBy ?? '')}">${esc(p.usedBy(localTime(c, card.usedAt), user(card.usedBy)))}</span>`;
    return Date.parse(card.expiresAt) < c.nowMs ? `<span class="muted">${esc(p.expiredUnused)}</span>` : esc(p.notUsed);
  };
  const rows = v.cards.map((card) => `<tr><td><b>${esc(card.checkpoint)}</b></td><td>${esc(dir(card.direction))}</td><td>${esc(localTime(c, card.issuedAt))}</td><td>${esc(localTime(c, card.expiresAt))}</td><td>${use(card)}</td></tr>`).join('');
  return `<h2>${esc(p.cards)}</h2><p class="muted">${esc(p.cardHint)}</p>
${sent ? `<p class="error" role="alert" data-notice="card-${sent.problem}">${esc(p.cardErrors[sent.problem])}</p>` : ''}<form method="post" action="/dashboard/cards"><input type="hidden" name="lang" value="${esc(c.lang)}">
<label>${esc(p.col.checkpoint)}<input name="checkpoint" required pattern="[A-Za-z0-9_.:\\-]{1,64}" maxlength="64" value="${esc(sent?.checkpoint ?? '')}"></label>
<label class="narrow">${esc(c.t.tracing.direction)}<select name="direction"><option value="">${esc(p.kioskDefault)}</option><option value="in"${selected('in')}>${esc(dir('in'))}</option><option value="out"${selected('out')}>${esc(dir('out'))}</option></select></label>
<label class="narrow">${esc(p.validHours)}<input name="ttlHours" type="number" min="1" max="${PROVISIONING_LIMITS.maxValidHours}" value="${esc(sent?.ttlHours ?? String(DEFAULT_CARD_TTL_HOURS))}"></label>
<button type="submit">${esc(p.issueCard)}</button>
</form>
<div class="scroll"><table data-section="fleet-cards"><thead><tr><th>${esc(p.col.checkpoint)}</th><th>${esc(c.t.tracing.direction)}</th><th>${esc(p.issued)}</th><th>${esc(p.expires)}</th><th>${esc(p.use)}</th></tr></thead>
<tbody>${rows || `<tr><td colspan="5" class="muted">${esc(p.none)}</td></tr>`}</tbody></table></div>`;
}

function profilesTable(c: FleetPageContext, v: FleetView): string {
  const p = c.t.fleetPage;
  const rows = v.profiles
    .map((r) => `<tr><td>${esc(p.scopes[r.scope] ?? r.scope)}</td><td class="mono">${esc(r.target)}</td><td class="num">${r.version}</td><td>${esc(localTime(c, r.setAt))}</td><td><code class="mono">${esc(JSON.stringify(r.config))}</code></td></tr>`)
    .join('');
  return `<div class="scroll"><table data-section="fleet-profiles"><thead><tr><th>${esc(p.scope)}</th><th>${esc(p.target)}</th><th class="num">${esc(p.col.version)}</th><th>${esc(p.setAt)}</th><th>${esc(p.configuration)}</th></tr></thead><tbody>${rows || `<tr><td colspan="5" class="muted">${esc(p.none)}</td></tr>`}</tbody></table></div>`;
}

function releasesTable(c: FleetPageContext, v: FleetView): string {
  const p = c.t.fleetPage;
  const rows = v.releases.map((r) => `<tr><td class="mono">${esc(r.version)}</td><td class="mono">${esc(r.file)}</td><td class="num">${r.stagingPercentage}%</td><td>${esc(localTime(c, r.releasedAt))}</td></tr>`).join('');
  return `<table data-section="fleet-releases"><thead><tr><th>${esc(p.col.version)}</th><th>${esc(p.file)}</th><th class="num">${esc(p.rollout)}</th><th>${esc(p.released)}</th></tr></thead><tbody>${rows || `<tr><td colspan="4" class="muted">${esc(p.none)}</td></tr>`}</tbody></table>`;
}

/**
 * The page. `revokedNow`: the device a confirmed revoke just cut off (the 303 after it names it),
 * announced at the top when it is indeed revoked. `card`: a card form that was refused, shown
 * again with its values and the reason.
 */
export function renderFleetPage(v: FleetView, c: FleetPageContext, opts: { revokedNow?: string; card?: CardFormState } = {}): string {
  const { revokedNow } = opts;
  const { t } = c;
  const p = t.fleetPage;
  const active = v.devices.filter((d) => !d.revokedAt);
  const revoked = v.devices.filter((d) => d.revokedAt);
  const pending = active.filter((d) => d.configPending);
  const justRevoked = revokedNow === undefined ? undefined : revoked.find((d) => d.deviceId === revokedNow);
  const notice = justRevoked
    ? `<p class="notice" role="status" data-notice="revoked">${esc(p.revokedNotice(`${justRevoked.name} (${justRevoked.checkpoint ?? p.unknown}, ${justRevoked.deviceId})`, localTime(c, justRevoked.revokedAt)))}</p>`
    : '';
  const cols = p.col;
  const head = [cols.device, cols.checkpoint, cols.mode, cols.hostname, cols.version, cols.heartbeat, cols.status, cols.trust, cols.action].map((h) => `<th>${esc(h)}</th>`).join('');
  const rows = v.devices.map((d) => deviceRow(c, v, d)).join('\n');
  const body = `<section class="card full" id="figures" data-section="fleet">${notice}
<div class="figures">${figure('devices', c.f.num(active.length), p.figures.devices, 'primary')}${figure('config-pending', c.f.num(pending.length), p.figures.configPending, pending.length ? 'alert' : 'good')}${figure('revoked', c.f.num(revoked.length), p.figures.revoked)}${figure('cards-used', `${c.f.num(v.cardsUsed)} / ${c.f.num(v.cardsIssued)}`, p.figures.cardsUsed)}</div></section>
<section class="card full" id="devices"><h2>${esc(p.devices)} <small class="muted">${esc(c.f.num(v.devices.length))}</small></h2><p class="muted">${esc(p.hint)}</p>
<div class="scroll"><table class="devices" data-section="fleet-devices"><thead><tr>${head}</tr></thead>
<tbody>${rows || `<tr><td colspan="9" class="muted">${esc(p.noDevices)}</td></tr>`}</tbody></table></div></section>
<section class="card half" id="versions"><h2>${esc(p.byVersion)}</h2>${versionTable(c, v.devices)}</section>
<section class="card half" id="releases"><h2>${esc(p.releases)}</h2>${releasesTable(c, v)}</section>
<section class="card full" id="cards">${cardsSection(c, v, opts.card)}</section>
<section class="card full" id="profiles"><h2>${esc(p.profiles)}</h2>${profilesTable(c, v)}</section>`;
  return fleetShell(c, p.title, body);
}
