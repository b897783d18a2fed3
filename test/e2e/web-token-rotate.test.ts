/**
 * "Rotate the web URL token" on the technician panel of `run --ui web`: the pressing page gets the
 * new URL (and may open it), other pages are disconnected (4001), and run prints a new
 * {"event":"ui","url"} line carrying the new token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connectUi as connect, callUi as call } from '../helpers/ui-socket.js';
import { runCli, startCli } from '../helpers/cli.js';
import { freePort, killAndWait } from '../helpers/sync-fixtures.js';

const PIN = '135792';
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

describe('run --ui web: rotating the URL token from the technician panel', () => {
  it('answers the pressing page with the new URL, closes the others with 4001 and prints a new ui line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-rotate-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    expect(runCli(['run', '--data-dir', dir, '--set-pin'], `${PIN}\n`).code).toBe(0);
    const kiosk = startCli(['run', '--data-dir', dir, '--ui', 'web', '--port', String(await freePort())]);
    cleanups.push(() => (kiosk.child.exitCode === null && kiosk.child.signalCode === null ? killAndWait(kiosk.child, 'SIGKILL') : undefined));
    const first = (await kiosk.waitFor((l) => l.event === 'ui', 30_000)).url as string;
    const pressing = await connect(first);
    const other = await connect(first);
    const otherClosed = new Promise<number>((r) => other.once('close', (code) => r(code)));
    const tech = (await call(pressing, 'techUnlock', [PIN])).value as { ok: boolean; session: string };
    expect(tech.ok).toBe(true);

    const answer = await call(pressing, 'techRotateWebToken', [tech.session]);
    expect(answer.ok).toBe(true);
    const url = (answer.value as { url: string }).url;
    expect(url).toMatch(/\?token=/);
    expect(url).not.toBe(first);
    expect(await otherClosed).toBe(4001);
    const printed = await kiosk.waitFor((l) => l.event === 'ui' && l.url !== first, 10_000);
    expect(printed.url).toBe(url);
    // The new URL opens the kiosk; the old one no longer does.
    (await connect(url)).close();
    await expect(connect(first)).rejects.toThrow();
    expect(await killAndWait(kiosk.child, 'SIGTERM')).toBe(0);
  }, 60_000);
});
