/**
 * End to end: a signed-in officer overrides a forwarded check-in through the booth API (booth
 * profile, web mode, the real WebSocket protocol), the kiosk is SIGKILLed before the override reached the central server,
 * restarted — and `central export` shows the override exactly once, with the current verdict, the
 * original one and the override history. Real `checkpoint-kiosk run` and `central` processes, a
 * real SQLite file on each side, HTTP on 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectUi as connect, callUi as call } from '../helpers/ui-socket.js';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess, type JsonLine } from '../helpers/cli.js';
import { freePort, killAndWait, spawnCentral, waitFor } from '../helpers/sync-fixtures.js';

/** Birth year does not match the ID digits: reject inconsistent-id. */
const BAD_CARD = '001090001234|123456789|Nguyễn Văn An|01021991|Nam|Hà Nội|15082021';

const PIN = '135792';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});


const exported = (centralDir: string): JsonLine[] => runCli(['central', 'export', '--data-dir', centralDir]).lines;

function startKiosk(dataDir: string, serverUrl: string, enrollCode?: string): CliProcess {
  const p = startCli(['run', '--data-dir', dataDir, '--ui', 'web', '--profile', 'booth', '--server', serverUrl, ...(enrollCode ? ['--enroll', enrollCode] : []), '--heartbeat-seconds', '3600']);
  cleanups.push(() => (p.child.exitCode === null && p.child.signalCode === null ? killAndWait(p.child, 'SIGKILL') : undefined));
  return p;
}

describe('overrides travel to the central server', () => {
  it('override in the booth → kiosk SIGKILLed before delivery → restart → central export shows it once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-override-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const centralDir = join(dir, 'central');
    const kioskDir = join(dir, 'kiosk');
    const port = await freePort();
    const centralArgs = ['--data-dir', centralDir, '--port', String(port), '--enrollment-code', 'BOOTH-CODE'];
    let central = await spawnCentral(centralArgs);
    cleanups.push(() => killAndWait(central.child, 'SIGKILL'));

    // The installer sets the technician PIN; the technician issues officer-7 a sign-in code.
    expect(runCli(['run', '--data-dir', kioskDir, '--set-pin'], `${PIN}\n`).code).toBe(0);

    // 1. A reject is recorded and forwarded.
    let kiosk = startKiosk(kioskDir, central.url, 'BOOTH-CODE');
    const ui = (await kiosk.waitFor((l) => l.event === 'ui', 30_000)).url as string;
    const ws = await connect(ui);
    const scanned = await call(ws, 'submitScan', [{ text: BAD_CARD, source: 'wedge' }]);
    const outcome = (scanned.value as { ok: boolean; outcome: { id: string; verdict: string } }).outcome;
    expect(outcome.verdict).toBe('reject');
    await waitFor(() => exported(centralDir).some((l) => l.id === outcome.id), 'the check-in on the server', 60_000);

    // 2. The server goes away; the officer overrides; the kiosk is killed with the override unsent.
    expect(await killAndWait(central.child, 'SIGKILL')).toBeNull();
    const tech = (await call(ws, 'techUnlock', [PIN])).value as { session: string };
    const { code } = (await call(ws, 'techIssueOfficerCode', [tech.session, 'officer-7'])).value as { code: string };
    const officer = (await call(ws, 'officerSignIn', ['officer-7', code])).value as { ok: boolean; session: string };
    expect(officer.ok).toBe(true);
    // `by` is the signed-in officer's id, not something the caller types.
    const overridden = await call(ws, 'overrideCheckIn', [officer.session, { id: outcome.id, verdict: 'accept', reason: 'birth date misprinted on the card; paper ID checked' }]);
    expect(overridden).toMatchObject({ ok: true, value: { override: { verdict: 'accept', by: 'officer-7' } } });
    ws.close();
    expect(await killAndWait(kiosk.child, 'SIGKILL')).toBeNull();
    expect(exported(centralDir).find((l) => l.id === outcome.id)).toMatchObject({ verdict: 'reject', originalVerdict: 'reject' });

    // 3. Both come back; the override is delivered from the kiosk's outbox.
    central = await spawnCentral(centralArgs.slice(0, 4));
    kiosk = startKiosk(kioskDir, central.url);
    await kiosk.waitFor((l) => l.event === 'ui', 30_000);
    await waitFor(() => exported(centralDir).find((l) => l.id === outcome.id)?.verdict === 'accept', 'the override on the server', 90_000);
    const line = exported(centralDir).find((l) => l.id === outcome.id)!;
    // The current verdict's reasons are the override's (none for an accept); the scan's stay beside them.
    expect(line).toMatchObject({ verdict: 'accept', originalVerdict: 'reject', reasons: [], originalReasons: ['inconsistent-id'] });
    const overrides = line.overrides as Record<string, unknown>[];
    expect(overrides).toHaveLength(1);
    expect(overrides[0]).toMatchObject({ verdict: 'accept', by: 'officer-7', reason: 'birth date misprinted on the card; paper ID checked', reasons: [] });
    expect(overrides[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);

    // 4. Another restart sends nothing twice: still exactly one override.
    expect(await killAndWait(kiosk.child, 'SIGTERM')).toBe(0);
    kiosk = startKiosk(kioskDir, central.url);
    await kiosk.waitFor((l) => l.event === 'ui', 30_000);
    // Give the forwarder its first round (it starts at once) before looking again.
    await new Promise((r) => setTimeout(r, 1500));
    expect((exported(centralDir).find((l) => l.id === outcome.id)!.overrides as unknown[]).length).toBe(1);
  }, 240_000);
});
