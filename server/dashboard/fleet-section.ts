/**
 * The fleet section of the dashboard: devices by group and version (with update state and the
 * configuration version they applied), pending configuration (a device that has not applied its
 * current profile yet), revoked devices (with a revoke button for the others), provisioning cards
 * issued and used, and the releases of the update feed. Headless and web-mode kiosks cannot
 * update themselves: the latest release appears as a notice next to them.
 *
 * One file, one section: `loadFleetView` gathers the data through the storage seam,
 * `renderFleetSection` returns an HTML fragment (every value escaped), `renderFleetPage` a page.
 */
import { esc } from '../html.js';

/** Headers of the fleet pages: no scripts at all; inline styles; images only from data: URLs (the card QR). */
export const FLEET_PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

/** A complete, script-free page around `body`. */
export function page(title: string, body: string, opts: { refreshSeconds?: number } = {}): string {
  const refresh = opts.refreshSeconds ? `<meta http-equiv="refresh" content="${Number(opts.refreshSeconds)}">` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}<title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:72rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}
.num{text-align:right}.bad{color:#b00020;font-weight:600}.ok{color:#16702e}
label{display:block;margin:.5rem 0}.figure{font-size:2rem;font-weight:700}.figures{display:flex;gap:2rem;flex-wrap:wrap}
</style></head><body>
${body}
</body></html>`;
}
import type { CardRecord, ConfigProfileRecord, ReleaseRecord } from '../storage/fleet-types.js';
import type { CentralStorage, DeviceHeartbeatRow } from '../storage/types.js';

export interface FleetDevice extends DeviceHeartbeatRow {
  group: string | null;
  revokedAt: string | null;
  /** Version of the profile the server holds for it (0 = none). */
  configVersion: number;
  /** The server holds a newer profile than the device reported applying. */
  configPending: boolean;
  /** It runs an older version than the latest release and cannot update itself (headless/web). */
  manualUpdate: boolean;
}

export interface FleetView {
  generatedAt: string;
  devices: FleetDevice[];
  profiles: ConfigProfileRecord[];
  cards: CardRecord[];
  releases: ReleaseRecord[];
  latestRelease: ReleaseRecord | undefined;
}

/** Update states a kiosk reports that mean "cannot self-update" (headless, web mode, deb). */
const MANUAL_STATES = new Set(['manual', 'unsupported']);

export async function loadFleetView(storage: CentralStorage, nowMs: number): Promise<FleetView> {
  const [rows, groups, revoked, profiles, cards, releases] = await Promise.all([
    storage.devicesWithHeartbeat(5000),
    storage.fleet.deviceGroups(),
    storage.fleet.revokedDevices(5000),
    storage.fleet.configProfiles(1000),
    storage.fleet.provisioningCards(200),
    storage.fleet.releases(20),
  ]);
  const revokedAt = new Map(revoked.map((r) => [r.deviceId, r.revokedAt]));
  const latestRelease = releases[0];
  const devices: FleetDevice[] = [];
  for (const row of rows) {
    const eff = await storage.fleet.effectiveConfig(row.deviceId);
    const applied = row.appliedConfigVersion === null ? 0 : Number(row.appliedConfigVersion);
    devices.push({
      ...row,
      group: groups.get(row.deviceId) ?? null,
      revokedAt: revokedAt.get(row.deviceId) ?? null,
      configVersion: eff.version,
      configPending: !revokedAt.has(row.deviceId) && eff.version > (Number.isFinite(applied) ? applied : 0),
      manualUpdate: latestRelease !== undefined && row.version !== null && row.version !== latestRelease.version && MANUAL_STATES.has(row.updateState ?? ''),
    });
  }
  devices.sort((a, b) => (a.group ?? '~').localeCompare(b.group ?? '~') || (a.version ?? '').localeCompare(b.version ?? '') || a.deviceId.localeCompare(b.deviceId));
  return { generatedAt: new Date(nowMs).toISOString(), devices, profiles, cards, releases, latestRelease };
}

function versionCounts(devices: FleetDevice[]): string {
  const byGroup = new Map<string, Map<string, number>>();
  for (const d of devices) {
    if (d.revokedAt) continue;
    const g = d.group ?? '(no group)';
    const m = byGroup.get(g) ?? new Map<string, number>();
    m.set(d.version ?? '(no heartbeat)', (m.get(d.version ?? '(no heartbeat)') ?? 0) + 1);
    byGroup.set(g, m);
  }
  const rows = [...byGroup].flatMap(([g, m]) => [...m].map(([v, n]) => `<tr><td>${esc(g)}</td><td>${esc(v)}</td><td class="num">${n}</td></tr>`));
  return `<table data-section="fleet-versions"><tr><th>group</th><th>version</th><th>devices</th></tr>${rows.join('') || '<tr><td colspan="3">no devices</td></tr>'}</table>`;
}

/** The section as an HTML fragment. Its forms carry no token: the browser is signed in (session cookie). */
export function renderFleetSection(v: FleetView): string {
  const pending = v.devices.filter((d) => d.configPending);
  const revoked = v.devices.filter((d) => d.revokedAt);
  const active = v.devices.filter((d) => !d.revokedAt);
  const deviceRows = active
    .map(
      (d) => `<tr data-device="${esc(d.deviceId)}"><td>${esc(d.group ?? '–')}</td><td>${esc(d.name)}<br><small>${esc(d.deviceId)}</small></td>
<td>${esc(d.version ?? '–')}</td><td>${esc(d.updateState ?? '–')}${d.manualUpdate ? ` <span class="bad">update to ${esc(v.latestRelease?.version)} by hand</span>` : ''}</td>
<td class="${d.configPending ? 'bad' : ''}">${esc(d.appliedConfigVersion ?? '0')} / ${d.configVersion}</td>
<td><form method="post" action="/dashboard/devices/${encodeURIComponent(d.deviceId)}/revoke"><button type="submit">Revoke</button></form></td></tr>`,
    )
    .join('');
  const cards = v.cards
    .map((c) => `<tr><td>${esc(c.checkpoint)}</td><td>${esc(c.direction ?? '–')}</td><td>${esc(c.issuedAt)}</td><td>${esc(c.expiresAt)}</td><td class="${c.usedAt ? 'ok' : ''}">${c.usedAt ? `used ${esc(c.usedAt)} by ${esc(c.usedBy)}` : Date.parse(c.expiresAt) < Date.parse(v.generatedAt) ? 'expired unused' : 'not used yet'}</td></tr>`)
    .join('');
  const profiles = v.profiles.map((p) => `<tr><td>${esc(p.scope)}</td><td>${esc(p.target)}</td><td class="num">${p.version}</td><td>${esc(p.setAt)}</td><td><code>${esc(JSON.stringify(p.config))}</code></td></tr>`).join('');
  const releases = v.releases.map((r) => `<tr><td>${esc(r.version)}</td><td>${esc(r.file)}</td><td class="num">${r.stagingPercentage}%</td><td>${esc(r.releasedAt)}</td></tr>`).join('');
  return `<section data-section="fleet">
<h2>Fleet</h2>
<div class="figures">
<div><div class="figure">${active.length}</div>devices</div>
<div><div class="figure ${pending.length ? 'bad' : 'ok'}" data-figure="config-pending">${pending.length}</div>configuration pending</div>
<div><div class="figure" data-figure="revoked">${revoked.length}</div>revoked</div>
<div><div class="figure" data-figure="cards-used">${v.cards.filter((c) => c.usedAt).length} / ${v.cards.length}</div>cards used / issued</div>
</div>
<h3>Devices by group and version</h3>${versionCounts(v.devices)}
<table data-section="fleet-devices"><tr><th>group</th><th>device</th><th>version</th><th>update</th><th>config applied / current</th><th></th></tr>${deviceRows || '<tr><td colspan="6">no devices</td></tr>'}</table>
<h3>Revoked devices</h3>
<table data-section="fleet-revoked"><tr><th>device</th><th>revoked at</th></tr>${revoked.map((d) => `<tr><td>${esc(d.name)}<br><small>${esc(d.deviceId)}</small></td><td>${esc(d.revokedAt)}</td></tr>`).join('') || '<tr><td colspan="2">none</td></tr>'}</table>
<h3>Configuration profiles</h3>
<table data-section="fleet-profiles"><tr><th>scope</th><th>target</th><th>version</th><th>set at</th><th>configuration</th></tr>${profiles || '<tr><td colspan="5">none</td></tr>'}</table>
<h3>Provisioning cards</h3>
<form method="post" action="/dashboard/cards">
<label>Checkpoint <input name="checkpoint" required pattern="[A-Za-z0-9_.:-]{1,64}"></label>
<label>Direction <select name="direction"><option value="">(kiosk default)</option><option>in</option><option>out</option></select></label>
<label>Valid (hours) <input name="ttlHours" type="number" min="1" max="168" value="24"></label>
<button type="submit">Issue a card</button>
</form>
<table data-section="fleet-cards"><tr><th>checkpoint</th><th>direction</th><th>issued</th><th>expires</th><th>use</th></tr>${cards || '<tr><td colspan="5">none issued</td></tr>'}</table>
<h3>Releases</h3>
<table data-section="fleet-releases"><tr><th>version</th><th>file</th><th>rollout</th><th>released</th></tr>${releases || '<tr><td colspan="4">none</td></tr>'}</table>
</section>`;
}

/** Back to the operations room, and the sign-out button (a POST, like the dashboard's). */
const FLEET_NAV = `<nav><a href="/dashboard" data-link="dashboard">← Operations room</a> <form method="post" action="/dashboard/sign-out" style="display:inline"><button type="submit">Sign out</button></form></nav>`;

export function renderFleetPage(v: FleetView): string {
  return page('Fleet', `${FLEET_NAV}<h1>Fleet</h1><p>Generated ${esc(v.generatedAt)}. Refreshes every minute.</p>${renderFleetSection(v)}`, { refreshSeconds: 60 });
}
