/**
 * An upgrade in place removes the HTTP client's chunk under a running kiosk: its lazy import fails
 * with ERR_MODULE_NOT_FOUND, which is reported as the program having changed (restart the kiosk),
 * not as an unreachable server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ProgramChangedError, isModuleGone, lazyImport } from '../../src/shared/program-changed.js';
import { EnrollmentError, enroll } from '../../src/sync/enrollment.js';
import { describeError } from '../../src/sync/http.js';

// What Node throws when dist/cli/chunks/axios-HASH.js was deleted by a rebuild.
vi.mock('axios', () => {
  const err = new Error("Cannot find module '/opt/kiosk/dist/cli/chunks/axios-4FQ2KX.js' imported from /opt/kiosk/dist/cli/chunks/http-AB12.js") as Error & { code: string };
  err.code = 'ERR_MODULE_NOT_FOUND';
  throw err;
});

const dir = mkdtempSync(join(tmpdir(), 'ck-progchg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a lazily imported file gone under the running kiosk', () => {
  it('is a ProgramChangedError naming what happened and what to do', async () => {
    const gone = pathToFileURL(join(dir, 'chunks', 'axios-GONE.js')).href;
    const err = await lazyImport('the HTTP client', () => import(gone)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgramChangedError);
    expect((err as Error).message).toMatch(/^the installed program changed under the running kiosk: the HTTP client could not be loaded \(.*axios-GONE\.js.*\).*restart the kiosk/);
    expect(describeError(err)).toBe((err as Error).message);
    // Other failures pass through unchanged.
    await expect(lazyImport('x', () => Promise.reject(new TypeError('boom')))).rejects.toThrow(TypeError);
    expect(isModuleGone(new Error('other'))).toBe(false);
  });

  it('an enrollment (a provisioning card, run --enroll) says the program changed, not "cannot reach"', async () => {
    const err = await enroll({ serverUrl: 'http://127.0.0.1:47601', code: 'K7QM-2XRP-9HTD', dataDir: dir, device: { name: 'k', version: '1', platform: 'linux' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnrollmentError);
    expect(err).toMatchObject({ code: 'program-changed' });
    expect((err as Error).message).toContain('the installed program changed under the running kiosk');
    expect((err as Error).message).toContain('restart the kiosk');
    expect((err as Error).message).not.toMatch(/cannot reach/);
  });
});
