/**
 * The pages a fleet form answers with: the revoke confirmation (the first POST of a Revoke…
 * button changes nothing and shows this page; only its own form, which carries
 * `confirm=yes`, revokes) and an issued provisioning card. Both in the room's frame
 * (./fleet-shell.ts): no script, so the confirmation works with scripts off and under the CSP.
 */
import { esc } from '../html.js';
import type { IssuedCard } from '../provision.js';
import type { ManagedDevice } from './fleet-view.js';
import { checkpointHtml, heartbeatHtml, modeHtml, statusHtml } from './fleet-page.js';
import { fleetShell, localTime, shortId } from './fleet-shell.js';
import type { FleetPageContext } from './fleet-shell.js';

/** The form field and value that make a revoke POST final. */
export const REVOKE_CONFIRMATION = { field: 'confirm', value: 'yes' } as const;

/**
 * "Revoke this device?": the device (hostname, full id, checkpoint, direction and profile, last
 * heartbeat, version, status), what revoking means, and Revoke / Cancel. A device already
 * revoked gets the date of that and only the way back.
 */
export function renderRevokeConfirmPage(c: FleetPageContext, d: ManagedDevice): string {
  const { t } = c;
  const r = t.revoke;
  const p = t.fleetPage;
  const facts: [string, string][] = [
    [p.col.hostname, `<b>${esc(d.name)}</b>`],
    [p.col.device, `<code class="mono">${esc(d.deviceId)}</code>`],
    [p.col.checkpoint, checkpointHtml(c, d)],
    [p.col.mode, modeHtml(c, d)],
    [p.col.heartbeat, heartbeatHtml(c, d)],
    [p.col.version, `<span class="mono">${esc(d.version ?? '—')}</span>`],
    [r.enrolled, esc(localTime(c, d.enrolledAt))],
    [p.col.status, statusHtml(c, d)],
  ];
  const list = `<dl class="facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
  const action = `/dashboard/devices/${encodeURIComponent(d.deviceId)}/revoke`;
  const answer = d.revokedAt
    ? `<p class="notice" role="status" data-notice="already-revoked">${esc(r.already(localTime(c, d.revokedAt)))}</p><p><a class="button secondary" href="/dashboard/fleet" data-action="cancel">← ${esc(p.heading)}</a></p>`
    : `<p class="warning" data-consequence>${esc(r.consequence)} <b>${esc(r.final)}</b></p>
<form method="post" action="${esc(action)}" class="confirm"><input type="hidden" name="lang" value="${esc(c.lang)}"><input type="hidden" name="${REVOKE_CONFIRMATION.field}" value="${REVOKE_CONFIRMATION.value}">
<button type="submit" class="danger" data-action="confirm-revoke">${esc(r.confirm)} ${esc(d.name)} (${esc(shortId(d.deviceId))})</button>
<a class="button secondary" href="/dashboard/fleet" data-action="cancel">${esc(r.cancel)}</a></form>`;
  const body = `<section class="card full narrow-card" data-section="revoke-confirm" data-device="${esc(d.deviceId)}">
<h1>${esc(r.heading)}</h1>
${list}
${answer}
</section>`;
  return fleetShell(c, r.title, body);
}

/** An issued card: its QR (a data: URL, allowed by the room's CSP) and its text, in local time. */
export function renderCardPage(c: FleetPageContext, issued: IssuedCard, qrDataUrl: string): string {
  const k = c.t.card;
  const body = `<section class="card full narrow-card" data-section="card">
<h1>${esc(k.heading(issued.checkpoint))}</h1>
<p>${esc(k.validUntil(localTime(c, issued.expiresAt)))} ${esc(k.hint)}</p>
<img class="card-qr" alt="${esc(k.alt)}" src="${esc(qrDataUrl)}">
<pre data-card class="card-text">${esc(issued.card)}</pre>
<p><a class="button secondary" href="/dashboard/fleet#cards">${esc(c.t.fleetPage.heading)}</a></p>
</section>`;
  return fleetShell(c, k.title, body);
}
