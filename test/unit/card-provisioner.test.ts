/**
 * The kiosk's decisions about a scanned provisioning card: fresh kiosk → enroll and take the
 * card's settings; enrolled → "technician only" unless re-provisioning was armed (for 10 minutes);
 * armed → only a card of the pinned server; re-enrollment needed → accepted without the panel; a
 * card refused by the server or cut off by a restart → its server's card taken again after scans.
 * The kiosk is a real KioskService on a real store in a temp dir; enrollment is a recorded hook.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardProvisioner, IN_SERVICE_MESSAGE, RETRY_HINT, TECHNICIAN_ONLY_MESSAGE, triedCardUsable } from '../../src/app/provisioning.js';
import type { ProvisioningEvent } from '../../src/app/provisioning.js';
import { KioskService } from '../../src/app/kiosk.js';
import { PROVISIONING_SETTINGS, SETTINGS } from '../../src/app/settings.js';
import { issueProvisioningCard } from '../../src/credentials/provisioning/index.js';
import type { VerifiedCard } from '../../src/credentials/provisioning/index.js';
import { openStore } from '../../src/store/index.js';
import { createKioskApi } from '../../src/app/api.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import { FakeTime } from '../fakes/fake-time.js';
import { newEcKey } from '../helpers/keys.js';

const root = newEcKey();
const foreign = newEcKey();
let dir: string;
let time: FakeTime;
let kiosk: KioskService;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-cardp-'));
  time = new FakeTime(Date.UTC(2026, 10, 29, 10));
  const store = openStore({ dir, logger: silentLogger, clock: time });
  kiosk = new KioskService({ store, scanners: [], config: { deviceId: 'local-1', checkpointId: 'unassigned', direction: 'in' }, clock: time, timers: time, ids: uuidv7Source(time), logger: silentLogger });
});
afterEach(async () => {
  await kiosk.stop();
  rmSync(dir, { recursive: true, force: true });
});

function card(key = root, checkpoint = 'GATE-7'): string {
  return issueProvisioningCard({ url: 'https://central.example', code: 'K7QM-2XRP-9HTD', checkpoint, direction: 'out', profile: 'booth', config: { duplicateWindowMinutes: 1 } }, key.privateKey, { now: new Date(time.now()), validHours: 2 });
}

function provisioner(state: { enrolled: boolean; reenrollNeeded: boolean; trustKey?: Record<string, unknown> }) {
  const enrolled: VerifiedCard[] = [];
  const events: ProvisioningEvent[] = [];
  const configs: unknown[] = [];
  const p = new CardProvisioner({
    kiosk,
    clock: time,
    logger: silentLogger,
    enrollment: () => state,
    enrollWithCard: async (c) => {
      enrolled.push(c);
    },
    applyConfig: (c) => configs.push(c),
    onEvent: (e) => events.push(e),
  });
  return { p, enrolled, events, configs };
}

describe('CardProvisioner', () => {
  it("reports, records and stamps what takes effect when the card's config names another checkpoint, direction or profile than the card (a card issued before provision-card refused that)", async () => {
    const { p, events } = provisioner({ enrolled: false, reenrollNeeded: false });
    const text = issueProvisioningCard(
      { url: 'https://central.example', code: 'K7QM-2XRP-9HTD', checkpoint: 'G', profile: 'venue', config: { checkpoint: 'OTHER', profile: 'booth', direction: 'out' } },
      root.privateKey,
      { now: new Date(time.now()), validHours: 2 },
    );
    const notice = await p.handle(text);
    expect(notice).toMatchObject({ state: 'provisioned', message: 'Enrolled with https://central.example at checkpoint OTHER.' });
    expect(events).toEqual([{ event: 'provisioned', server: 'https://central.example', checkpoint: 'OTHER', direction: 'out', profile: 'booth' }]);
    expect(kiosk.currentConfig()).toMatchObject({ checkpointId: 'OTHER', direction: 'out' });
    expect(kiosk.store.getSetting(SETTINGS.checkpoint)).toBe('OTHER');
    expect(kiosk.store.getSetting(SETTINGS.profile)).toBe('booth');
    expect(kiosk.store.auditLog(5)[0]).toMatchObject({ action: 'provisioned', detail: { checkpoint: 'OTHER', direction: 'out', profile: 'booth' } });
  });

  it('enrolls a fresh kiosk and takes the card settings, audited', async () => {
    const { p, enrolled, events, configs } = provisioner({ enrolled: false, reenrollNeeded: false });
    const notice = await p.handle(card());
    expect(notice).toMatchObject({ state: 'provisioned' });
    expect(enrolled).toHaveLength(1);
    expect(events).toEqual([{ event: 'provisioned', server: 'https://central.example', checkpoint: 'GATE-7', direction: 'out', profile: 'booth' }]);
    expect(kiosk.currentConfig()).toMatchObject({ checkpointId: 'GATE-7', direction: 'out' });
    expect(kiosk.store.getSetting(SETTINGS.profile)).toBe('booth');
    expect(configs).toEqual([{ duplicateWindowMinutes: 1 }]);
    expect(kiosk.store.auditLog(5)[0]).toMatchObject({ actor: 'provisioning-card', action: 'provisioned' });
    expect(JSON.stringify(kiosk.store.auditLog(5))).not.toContain('K7QM');
  });

  it('ignores cards on an enrolled kiosk until a technician arms re-provisioning, for 10 minutes', async () => {
    const { p, enrolled, events } = provisioner({ enrolled: true, reenrollNeeded: false, trustKey: root.publicJwk });
    expect(await p.handle(card())).toMatchObject({ state: 'ignored', message: TECHNICIAN_ONLY_MESSAGE });
    expect(events[0]).toMatchObject({ event: 'provisioning-ignored' });
    p.armReprovision();
    await time.advance(11 * 60_000);
    expect(await p.handle(card())).toMatchObject({ state: 'ignored' });
    p.armReprovision();
    expect(await p.handle(card(foreign))).toMatchObject({ state: 'refused', reason: 'wrong-root-key' });
    expect(await p.handle(card(root, 'GATE-9'))).toMatchObject({ state: 'provisioned' });
    expect(enrolled.map((c) => c.checkpoint)).toEqual(['GATE-9']);
    // Used up: the next card is ignored again.
    expect(await p.handle(card())).toMatchObject({ state: 'ignored' });
  });

  it('accepts a card without the panel when the server refused this device, and reports enrollment failures', async () => {
    const state = { enrolled: true, reenrollNeeded: true, trustKey: root.publicJwk };
    const failing = new CardProvisioner({
      kiosk,
      clock: time,
      logger: silentLogger,
      enrollment: () => state,
      enrollWithCard: () => Promise.reject(new Error('enrollment refused: this enrollment code was already used; ask for a new one')),
    });
    expect(await failing.handle(card())).toMatchObject({ state: 'refused', reason: 'enrollment', message: expect.stringMatching(/already used/) });
    expect(kiosk.currentConfig().checkpointId).toBe('unassigned');
    const { p } = provisioner(state);
    expect(await p.handle(card())).toMatchObject({ state: 'provisioned' });
  });

  it('ignores a card on a kiosk that is not enrolled but already holds check-ins (in service on its own) until a technician arms it', async () => {
    // A venue kiosk run with --trust and no server: a stranger's card at its public scanner must
    // not move its check-ins and its trust bundle to the stranger's server.
    kiosk.store.record({
      id: '01a24c00-0000-7000-8000-000000000001', deviceId: 'local-1', checkpointId: 'unassigned', direction: 'in',
      scannedAt: new Date(time.now()).toISOString(), format: 'cccd', verdict: 'accept', reasons: ['identity-only'], subject: { idType: 'cccd', idNo: '001090000001' },
    });
    const { p, enrolled, events } = provisioner({ enrolled: false, reenrollNeeded: false });
    expect(await p.handle(card())).toMatchObject({ state: 'ignored', reason: 'in-service', message: IN_SERVICE_MESSAGE });
    expect(events).toEqual([{ event: 'provisioning-ignored', message: IN_SERVICE_MESSAGE }]);
    // Both messages name the panel's button as it reads (renderer i18n `reprovision`), so the technician finds it.
    for (const message of [IN_SERVICE_MESSAGE, TECHNICIAN_ONLY_MESSAGE]) expect(message).toContain('choose "Re-provision by card", then scan the card again while the panel stays open (at most 10 minutes)');
    expect(enrolled).toEqual([]);
    expect(kiosk.currentConfig().checkpointId).toBe('unassigned');
    p.armReprovision();
    expect(await p.handle(card())).toMatchObject({ state: 'provisioned' });
    expect(enrolled.map((c) => c.checkpoint)).toEqual(['GATE-7']);
  });

  it('a crash after the enrollment was saved and before the card settings: the next start completes the card', async () => {
    // The process dies while the card waits for the first trust bundle: enrollment.json is written
    // (the enrollment state says enrolled, a new identity), the settings were not yet written.
    const state: { enrolled: boolean; reenrollNeeded: boolean; identity?: string } = { enrolled: false, reenrollNeeded: false };
    const crashed = new CardProvisioner({
      kiosk,
      clock: time,
      logger: silentLogger,
      enrollment: () => state,
      enrollWithCard: async () => {
        state.enrolled = true;
        state.identity = 'dev-1 2026-11-29T10:00:00.000Z';
        // Power cut: nothing after this point runs.
        await new Promise<never>(() => undefined);
      },
    });
    void crashed.handle(card());
    await time.advance(1);
    expect(state.enrolled).toBe(true);
    await kiosk.stop();
    // Restart on the same data dir: the store as the crash left it, a new kiosk and provisioner.
    const store = openStore({ dir, logger: silentLogger, clock: time });
    kiosk = new KioskService({ store, scanners: [], config: { deviceId: 'local-1', checkpointId: store.getSetting(SETTINGS.checkpoint) ?? 'unassigned', direction: 'in' }, clock: time, timers: time, ids: uuidv7Source(time), logger: silentLogger });
    const configs: unknown[] = [];
    const restarted = new CardProvisioner({ kiosk, clock: time, logger: silentLogger, enrollment: () => state, enrollWithCard: () => Promise.resolve(), applyConfig: (c, _s, stored) => configs.push({ c, stored }) });
    restarted.resume();
    expect(kiosk.currentConfig()).toMatchObject({ checkpointId: 'GATE-7', direction: 'out' });
    expect(store.getSetting(SETTINGS.checkpoint)).toBe('GATE-7');
    expect(store.getSetting(SETTINGS.direction)).toBe('out');
    expect(store.getSetting(SETTINGS.profile)).toBe('booth');
    expect(configs).toEqual([{ c: { duplicateWindowMinutes: 1 }, stored: false }]);
    expect(store.auditLog(5)[0]).toMatchObject({ actor: 'provisioning-card', action: 'provisioned', detail: expect.objectContaining({ completedAfterRestart: true }) });
    expect(store.getSetting(PROVISIONING_SETTINGS.pending)).toBe('');
    expect(JSON.stringify(store.getSetting(PROVISIONING_SETTINGS.applied))).not.toContain('K7QM');
    // And once more: nothing pending; the card's in-memory config (its duplicate window) is in force again.
    configs.length = 0;
    restarted.resume();
    expect(configs).toEqual([{ c: { duplicateWindowMinutes: 1 }, stored: true }]);
  });

  it('a crash before the enrollment was saved leaves the kiosk as before; the card is taken when scanned again', async () => {
    const state: { enrolled: boolean; reenrollNeeded: boolean; identity?: string } = { enrolled: false, reenrollNeeded: false };
    const crashed = new CardProvisioner({ kiosk, clock: time, logger: silentLogger, enrollment: () => state, enrollWithCard: () => new Promise<never>(() => undefined) });
    void crashed.handle(card());
    await time.advance(1);
    expect(kiosk.store.getSetting(PROVISIONING_SETTINGS.pending)).toContain('GATE-7');
    const { p, enrolled } = provisioner(state);
    p.resume();
    expect(kiosk.currentConfig().checkpointId).toBe('unassigned');
    expect(kiosk.store.getSetting(SETTINGS.checkpoint)).toBeUndefined();
    expect(kiosk.store.getSetting(PROVISIONING_SETTINGS.pending)).toBe('');
    expect(await p.handle(card())).toMatchObject({ state: 'provisioned' });
    expect(enrolled).toHaveLength(1);
  });

  it('a crash before the enrollment was saved, then an ID card scanned: the same server\'s card is still taken without the panel, another server\'s is not', async () => {
    const state: { enrolled: boolean; reenrollNeeded: boolean; identity?: string } = { enrolled: false, reenrollNeeded: false };
    const crashed = new CardProvisioner({ kiosk, clock: time, logger: silentLogger, enrollment: () => state, enrollWithCard: () => new Promise<never>(() => undefined) });
    void crashed.handle(card());
    await time.advance(1);
    // Power cut; at the start the card is dropped ("nothing changed: scan the card again").
    const { p, enrolled } = provisioner(state);
    p.resume();
    expect(kiosk.store.getSetting(PROVISIONING_SETTINGS.pending)).toBe('');
    expect(kiosk.store.getSetting(PROVISIONING_SETTINGS.triedKid)).toMatch(/^[A-Za-z0-9+/=]+$/);
    // Someone scans an ID card before the technician scans the card again.
    expect(await kiosk.submit({ source: 'serial', deviceId: 'serial:/dev/ttyACM0', text: '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021', receivedAt: time.now() })).toMatchObject({ kind: 'checkin' });
    expect(await p.handle(card(foreign))).toMatchObject({ state: 'ignored', reason: 'in-service' });
    expect(await p.handle(card())).toMatchObject({ state: 'provisioned' });
    expect(enrolled.map((c) => c.checkpoint)).toEqual(['GATE-7']);
    expect(kiosk.store.getSetting(PROVISIONING_SETTINGS.triedKid)).toBe('');
  });

  it('a card refused for enrollment (server down), then a test scan: the same server\'s card is taken when scanned again, another server\'s is not', async () => {
    const state = { enrolled: false, reenrollNeeded: false };
    const events: ProvisioningEvent[] = [];
    const down = new CardProvisioner({ kiosk, clock: time, logger: silentLogger, enrollment: () => state, enrollWithCard: () => Promise.reject(new Error('the server could not be reached (ECONNREFUSED)')), onEvent: (e) => events.push(e) });
    const refused = await down.handle(card());
    expect(refused).toMatchObject({ state: 'refused', reason: 'enrollment' });
    // The refusal says what the next scan will do.
    expect(refused.message).toContain(RETRY_HINT);
    // The card's expiry is kept with the marker: after it the tried card no longer counts (retention).
    const until = kiosk.store.getSetting(PROVISIONING_SETTINGS.triedUntil);
    expect(Date.parse(until ?? '')).toBeGreaterThan(time.now());
    expect(triedCardUsable((k) => kiosk.store.getSetting(k), time.now())).toBe(true);
    expect(triedCardUsable((k) => kiosk.store.getSetting(k), Date.parse(until ?? ''))).toBe(false);
    expect(events[0]).toMatchObject({ event: 'provisioning-refused', message: expect.stringContaining('scan this card (or a new card of the same server) again') });
    kiosk.store.record({
      id: '01a24c00-0000-7000-8000-000000000002', deviceId: 'local-1', checkpointId: 'unassigned', direction: 'in',
      scannedAt: new Date(time.now()).toISOString(), format: 'cccd', verdict: 'accept', reasons: ['identity-only'], subject: { idType: 'cccd', idNo: '001090000001' },
    });
    const { p, enrolled } = provisioner(state);
    expect(await p.handle(card(foreign))).toMatchObject({ state: 'ignored', reason: 'in-service' });
    expect(await p.handle(card())).toMatchObject({ state: 'provisioned' });
    expect(enrolled.map((c) => c.checkpoint)).toEqual(['GATE-7']);
    expect(kiosk.store.getSetting(PROVISIONING_SETTINGS.triedKid)).toBe('');
  });

  it('routes a card scanned in lower case or behind an AIM prefix to the provisioner and enrolls with it (every scanner, the web wedge)', async () => {
    const seen: string[] = [];
    kiosk.on('card', (scan: { text: string }) => seen.push(scan.text));
    const lower = `]Q1${card().toLowerCase()}`;
    expect(await kiosk.submit({ source: 'wedge', deviceId: 'wedge:window', text: lower, receivedAt: time.now() })).toBeUndefined();
    expect(seen).toEqual([lower]);
    expect(kiosk.store.queueStats().depth).toBe(0);
    const { p, enrolled } = provisioner({ enrolled: false, reenrollNeeded: false });
    expect(await p.handle(lower)).toMatchObject({ state: 'provisioned' });
    expect(enrolled.map((c) => c.code)).toEqual(['K7QM-2XRP-9HTD']);
  });

  describe('re-provisioning armed from the panel lasts only while the technician session does', () => {
    async function panel() {
      // A kiosk in service on its own (never enrolled, holds a check-in): the case where a card of any server is taken once armed.
      kiosk.store.record({
        id: '01a24c00-0000-7000-8000-000000000002', deviceId: 'local-1', checkpointId: 'unassigned', direction: 'in',
        scannedAt: new Date(time.now()).toISOString(), format: 'cccd', verdict: 'accept', reasons: ['identity-only'], subject: { idType: 'cccd', idNo: '001090000002' },
      });
      const { p, enrolled } = provisioner({ enrolled: false, reenrollNeeded: false });
      const api = createKioskApi({
        kiosk, clock: time, timers: time, logger: silentLogger, exportDir: join(dir, 'exports'),
        pin: { scryptN: 1024, setupCodeFile: join(dir, 'setup-code'), techIdleMs: 5 * 60_000 },
        reprovision: (open) => p.armReprovision(open),
        disarmReprovision: () => p.disarmReprovision(),
      });
      const { readFileSync } = await import('node:fs');
      const unlocked = await api.techSetup(readFileSync(join(dir, 'setup-code'), 'utf8').trim(), '482913');
      if (!unlocked.ok || !unlocked.session) throw new Error('setup failed');
      return { p, enrolled, api, session: unlocked.session };
    }

    it('locking the panel disarms it: a stranger\'s card of another server is then ignored', async () => {
      const { p, enrolled, api, session } = await panel();
      await api.techConfigure(session, { reprovision: true });
      expect(p.isArmed()).toBe(true);
      await api.techLock(session);
      expect(p.isArmed()).toBe(false);
      expect(await p.handle(card(foreign))).toMatchObject({ state: 'ignored', reason: 'in-service' });
      expect(enrolled).toEqual([]);
      api.close();
    });

    it('the session\'s idle expiry disarms it, even before the 10 minutes are over', async () => {
      const { p, enrolled, api, session } = await panel();
      await api.techConfigure(session, { reprovision: true });
      await time.advance(5 * 60_000 + 1000);
      expect(await p.handle(card(foreign))).toMatchObject({ state: 'ignored', reason: 'in-service' });
      expect(enrolled).toEqual([]);
      api.close();
    });

    it('while the panel stays open a card is taken', async () => {
      const { p, enrolled, api, session } = await panel();
      await api.techConfigure(session, { reprovision: true });
      await time.advance(60_000);
      expect(await p.handle(card())).toMatchObject({ state: 'provisioned' });
      expect(enrolled).toHaveLength(1);
      api.close();
    });
  });
});
