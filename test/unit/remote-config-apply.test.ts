/**
 * Applying remote configuration to a real KioskService on a real store: one step, audited,
 * version recorded; the precedence between technician and fleet; a bad profile changes nothing;
 * the screen settings and the provisioning notice reach the UI status; the technician panel arms
 * re-provisioning.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKioskApi } from '../../src/app/api.js';
import { KioskService } from '../../src/app/kiosk.js';
import { REMOTE_SETTINGS, createConfigApplier } from '../../src/app/remote-config-apply.js';
import { SETTINGS } from '../../src/app/settings.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import { openStore } from '../../src/store/index.js';
import { CardProvisioner } from '../../src/app/provisioning.js';
import { issueProvisioningCard } from '../../src/credentials/provisioning/index.js';
import type { KioskStatus } from '../../src/shared/api.js';
import { FakeTime } from '../fakes/fake-time.js';
import { newEcKey } from '../helpers/keys.js';

let dir: string;
let time: FakeTime;
let kiosk: KioskService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-rcfg-'));
  time = new FakeTime();
  kiosk = new KioskService({
    store: openStore({ dir, logger: silentLogger, clock: time }),
    scanners: [],
    config: { deviceId: 'dev-1', checkpointId: 'LOCAL', direction: 'in' },
    clock: time,
    timers: time,
    ids: uuidv7Source(time),
    logger: silentLogger,
  });
});
afterEach(async () => {
  await kiosk.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('remote configuration on the kiosk', () => {
  it('applies a new version in one step, audits it, and lets a later technician change stand until the next version', () => {
    const periods: number[] = [];
    const applier = createConfigApplier({ kiosk, basePolicy: DEFAULT_POLICY, clock: time, logger: silentLogger, onHeartbeatPeriod: (ms) => periods.push(ms) });
    applier.apply({ checkpoint: 'G-1', direction: 'out', duplicateWindowMinutes: 0, heartbeatSeconds: 30, language: 'en', resultTimeoutSeconds: 4 }, 3, { stored: false, source: 'central' });
    expect(kiosk.currentConfig()).toMatchObject({ checkpointId: 'G-1', direction: 'out' });
    expect(kiosk.currentPolicy().duplicateWindowMinutes).toBe(0);
    expect(periods).toEqual([30_000]);
    expect(applier.appliedVersion()).toBe(3);
    expect(kiosk.store.auditLog(1)[0]).toMatchObject({ actor: 'central', action: 'remote-config', detail: { version: 3 } });

    // The technician moves the kiosk; a restart re-applies the stored profile: the local change stands.
    kiosk.setConfig({ checkpointId: 'TECH' });
    kiosk.store.setSetting(SETTINGS.checkpoint, 'TECH');
    applier.apply({ checkpoint: 'G-1', duplicateWindowMinutes: 0 }, 3, { stored: true, source: 'central' });
    expect(kiosk.currentConfig().checkpointId).toBe('TECH');
    applier.apply({ checkpoint: 'G-1', duplicateWindowMinutes: 0 }, 3, { stored: false, source: 'central' });
    expect(kiosk.currentConfig().checkpointId).toBe('TECH');
    // The next version that names the checkpoint sets it again; one that drops the window restores the base.
    applier.apply({ checkpoint: 'G-2' }, 5, { stored: false, source: 'central' });
    expect(kiosk.currentConfig().checkpointId).toBe('G-2');
    expect(kiosk.currentPolicy().duplicateWindowMinutes).toBe(DEFAULT_POLICY.duplicateWindowMinutes);
  });

  it('keeps a local checkpoint when a newer merged version carries the same central value, until that value changes', () => {
    const applier = createConfigApplier({ kiosk, basePolicy: DEFAULT_POLICY, clock: time, logger: silentLogger });
    // Device profile v2 names GATE-9.
    applier.apply({ checkpoint: 'GATE-9' }, 2, { stored: false, source: 'central' });
    expect(kiosk.currentConfig().checkpointId).toBe('GATE-9');
    // The kiosk is started with run --checkpoint LOCAL-1 (the stored profile re-applied at the start).
    kiosk.setConfig({ checkpointId: 'LOCAL-1' });
    kiosk.store.setSetting(SETTINGS.checkpoint, 'LOCAL-1');
    applier.apply({ checkpoint: 'GATE-9' }, 2, { stored: true, source: 'central' });
    // The device joins group north whose profile sets the language: merged v3 still carries GATE-9.
    applier.apply({ checkpoint: 'GATE-9', direction: 'in', language: 'vi' }, 3, { stored: false, source: 'central' });
    expect(kiosk.currentConfig().checkpointId).toBe('LOCAL-1');
    expect(kiosk.store.getSetting(SETTINGS.checkpoint)).toBe('LOCAL-1');
    expect(kiosk.store.getSetting(REMOTE_SETTINGS.language)).toBe('vi');
    expect(applier.appliedVersion()).toBe(3);
    // A local direction change stands too; the central direction named first in v3 was applied then.
    kiosk.setConfig({ direction: 'out' });
    applier.apply({ checkpoint: 'GATE-9', direction: 'in', language: 'en' }, 4, { stored: false, source: 'central' });
    expect(kiosk.currentConfig()).toMatchObject({ checkpointId: 'LOCAL-1', direction: 'out' });
    // The central checkpoint changes: it is set.
    applier.apply({ checkpoint: 'GATE-10', direction: 'in' }, 5, { stored: false, source: 'central' });
    expect(kiosk.currentConfig()).toMatchObject({ checkpointId: 'GATE-10', direction: 'out' });
    expect(kiosk.store.getSetting(SETTINGS.checkpoint)).toBe('GATE-10');
  });

  it('learns the central values from the profile in force at a start (a kiosk upgraded from a version that did not remember them)', () => {
    const applier = createConfigApplier({ kiosk, basePolicy: DEFAULT_POLICY, clock: time, logger: silentLogger });
    kiosk.store.setSetting(REMOTE_SETTINGS.appliedVersion, '2');
    kiosk.setConfig({ checkpointId: 'LOCAL-1' });
    applier.apply({ checkpoint: 'GATE-9' }, 2, { stored: true, source: 'central' });
    applier.apply({ checkpoint: 'GATE-9', language: 'vi' }, 3, { stored: false, source: 'central' });
    expect(kiosk.currentConfig().checkpointId).toBe('LOCAL-1');
  });

  it('changes nothing when the profile is unusable', () => {
    const applier = createConfigApplier({ kiosk, basePolicy: DEFAULT_POLICY, clock: time, logger: silentLogger });
    const before = kiosk.currentPolicy();
    expect(() => applier.apply({ checkpoint: 'G-9', policy: { identityOnly: 'maybe' } }, 7, { stored: false, source: 'central' })).toThrow(/identityOnly/);
    expect(kiosk.currentPolicy()).toBe(before);
    expect(kiosk.currentConfig().checkpointId).toBe('LOCAL');
    expect(applier.appliedVersion()).toBe(0);
  });

  it('shows screen settings and the provisioning notice in the status; the technician arms re-provisioning', async () => {
    let armed = 0;
    const api = createKioskApi({
      kiosk,
      clock: time,
      timers: time,
      logger: silentLogger,
      exportDir: join(dir, 'exports'),
      pin: { scryptN: 1024, setupCodeFile: join(dir, 'setup-code') },
      reprovision: () => armed++,
      provisioning: () => ({ state: 'ignored', message: 'technician only', at: new Date(time.now()).toISOString(), reason: 'technician-only' }),
    });
    kiosk.store.setSetting(REMOTE_SETTINGS.resultTimeoutSeconds, '4');
    kiosk.store.setSetting(REMOTE_SETTINGS.language, 'en');
    const status = await api.getStatus();
    expect(status.display).toEqual({ resultTimeoutSeconds: 4, language: 'en' });
    expect(status.provisioning).toMatchObject({ state: 'ignored', reason: 'technician-only' });
    const unlocked = await api.techSetup(readFileSync(join(dir, 'setup-code'), 'utf8').trim(), '482913');
    if (!unlocked.ok) throw new Error('unlock failed');
    await api.techConfigure(unlocked.session, { reprovision: true });
    expect(armed).toBe(1);
    expect(kiosk.store.auditLog(1)[0]).toMatchObject({ actor: 'technician', action: 'reprovision-armed' });
    const card = await api.submitScan({ text: 'CKP1:NOT-A-REAL-CARD', source: 'wedge' });
    expect(card).toEqual({ ok: false, error: 'Provisioning card: see the technician screen.' });
    expect([...kiosk.store.all()]).toHaveLength(0);
    api.close();
  });

  it("makes a card's and a remote profile the kiosk's one profile (the one the technician and run --profile set)", async () => {
    const api = createKioskApi({ kiosk, clock: time, timers: time, logger: silentLogger, exportDir: join(dir, 'exports'), pollMs: 1000, pin: { scryptN: 1024, setupCodeFile: join(dir, 'setup-code') } });
    const seen: KioskStatus[] = [];
    api.on('status', (s) => seen.push(s));
    expect((await api.getStatus()).profile).toBe('venue');
    await expect(api.officerSignIn('CB-1', '12345678')).rejects.toThrow(/venue profile/);

    // A provisioning card naming the booth profile switches the kiosk to it: officers may sign in.
    const root = newEcKey();
    const card = issueProvisioningCard({ url: 'https://central.example', code: 'K7QM-2XRP-9HTD', checkpoint: 'GATE-7', profile: 'booth' }, root.privateKey, { now: new Date(time.now()), validHours: 2 });
    const provisioner = new CardProvisioner({ kiosk, clock: time, logger: silentLogger, enrollment: () => ({ enrolled: false, reenrollNeeded: false }), enrollWithCard: async () => {}, applyConfig: () => {}, onEvent: () => {} });
    expect(await provisioner.handle(card)).toMatchObject({ state: 'provisioned' });
    expect((await api.getStatus()).profile).toBe('booth');
    await time.advance(1000);
    expect(seen.at(-1)?.profile).toBe('booth'); // pushed to the screens without a restart
    const session = (await api.techSetup(readFileSync(join(dir, 'setup-code'), 'utf8').trim(), '482913')) as { ok: true; session: string };
    const { code } = await api.techIssueOfficerCode(session.session, 'CB-1');
    expect(await api.officerSignIn('CB-1', code)).toMatchObject({ ok: true, actor: 'CB-1' });

    // The technician sets venue; a new remote version naming the profile (first time: a changed central value) sets booth again...
    expect((await api.techConfigure(session.session, { profile: 'venue' })).profile).toBe('venue');
    const applier = createConfigApplier({ kiosk, basePolicy: DEFAULT_POLICY, clock: time, logger: silentLogger });
    applier.apply({ profile: 'booth' }, 2, { stored: false, source: 'central' });
    expect((await api.getStatus()).profile).toBe('booth');
    // ...a later local change stands across a restart's re-apply of the same version...
    await api.techConfigure(session.session, { profile: 'venue' });
    applier.apply({ profile: 'booth' }, 2, { stored: true, source: 'central' });
    expect((await api.getStatus()).profile).toBe('venue');
    // ...and across a newer version carrying the same central value (another key changed)...
    applier.apply({ profile: 'booth', language: 'vi' }, 3, { stored: false, source: 'central' });
    expect((await api.getStatus()).profile).toBe('venue');
    // ...until the central value changes: venue centrally, then the technician's booth, then central booth.
    applier.apply({ profile: 'venue' }, 4, { stored: false, source: 'central' });
    await api.techConfigure(session.session, { profile: 'booth' });
    expect((await api.getStatus()).profile).toBe('booth');
    await api.techConfigure(session.session, { profile: 'venue' });
    applier.apply({ profile: 'booth' }, 5, { stored: false, source: 'central' });
    expect((await api.getStatus()).profile).toBe('booth');
    expect(kiosk.store.getSetting(SETTINGS.profile)).toBe('booth');
    api.close();
  });
});
