/**
 * What the fleet page (/dashboard/fleet) shows, read through the storage seam at one instant:
 * every enrolled device judged like the operations room judges it (./fleet.ts), with what tells
 * two machines of the same hostname apart — its checkpoint, direction and profile as the server
 * knows them (its configuration profile, else what its latest heartbeat reported, else the
 * provisioning card it enrolled with) — plus its
 * group, revocation, configuration and update state; and the profiles, cards and releases.
 */
import type { CardRecord, ConfigProfileRecord, ReleaseRecord } from '../storage/fleet-types.js';
import type { CentralStorage, DeviceHeartbeatRow } from '../storage/types.js';
import { judgeDevice, sortFleet } from './fleet.js';
import type { FleetDevice, FleetThresholds } from './fleet.js';

/** Read bounds: devices and cards (the page lists at most CARDS_SHOWN cards, newest first). */
export const FLEET_VIEW_LIMITS = { devices: 5000, cards: 5000, cardsShown: 200, profiles: 1000, releases: 20 } as const;

/**
 * Where the page learnt a device's checkpoint: the profile the server sends it, the kiosk's own
 * heartbeat (what it stamps on its check-ins now), or the card it enrolled with.
 */
export type PlaceSource = 'profile' | 'kiosk' | 'card';

export interface ManagedDevice extends FleetDevice {
  /** Update state and applied configuration version from the latest heartbeat. */
  updateState: string | null;
  appliedConfigVersion: string | null;
  group: string | null;
  /** ISO time of the (first) revocation, null when not revoked. */
  revokedAt: string | null;
  /** Checkpoint id, null when the server knows none (a kiosk with no profile, no card, and no heartbeat that reports it). */
  checkpoint: string | null;
  direction: string | null;
  /** Kiosk profile (`venue` | `booth`), null when unknown. */
  profile: string | null;
  /** Where `checkpoint` came from; null when it is null. */
  placeSource: PlaceSource | null;
  /** Version of the profile the server holds for it (0 = none). */
  configVersion: number;
  /** The server holds a newer profile than the device reported applying. */
  configPending: boolean;
  /** It runs an older version than the latest release and cannot update itself (headless/web). */
  manualUpdate: boolean;
}

export interface FleetView {
  nowMs: number;
  /** Problems first (most, then worst), then devices without problems, then the revoked ones; ties by hostname and id. */
  devices: ManagedDevice[];
  profiles: ConfigProfileRecord[];
  /** Newest first, at most FLEET_VIEW_LIMITS.cardsShown. */
  cards: CardRecord[];
  cardsIssued: number;
  cardsUsed: number;
  releases: ReleaseRecord[];
  latestRelease: ReleaseRecord | undefined;
}

export interface FleetViewOptions extends FleetThresholds {
  nowMs: number;
  /** `issuedAt` (ms) of the trust bundle the server publishes. */
  publishedTrustIssuedAtMs: number;
}

/** Update states a kiosk reports that mean "cannot self-update" (headless, web mode, deb). */
const MANUAL_STATES = new Set(['manual', 'unsupported']);

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/**
 * The device's place from its effective profile (what the server says it must be), else from its
 * latest heartbeat (what it says it is: a bare-code enrollment, or a technician's change after a
 * card), else from the card it used (cards newest first).
 */
function placeOf(config: Record<string, unknown>, row: DeviceHeartbeatRow, card: CardRecord | undefined): Pick<ManagedDevice, 'checkpoint' | 'direction' | 'profile' | 'placeSource'> {
  const fromProfile = text(config.checkpoint);
  const fromKiosk = text(row.checkpointId);
  return {
    checkpoint: fromProfile ?? fromKiosk ?? card?.checkpoint ?? null,
    direction: text(config.direction) ?? text(row.direction) ?? text(card?.direction),
    profile: text(config.profile) ?? text(card?.profile),
    placeSource: fromProfile ? 'profile' : fromKiosk ? 'kiosk' : card ? 'card' : null,
  };
}

function manage(row: DeviceHeartbeatRow, o: FleetViewOptions, extra: Omit<ManagedDevice, keyof FleetDevice | 'updateState' | 'appliedConfigVersion'>): ManagedDevice {
  return { ...judgeDevice(row, o.nowMs, o.publishedTrustIssuedAtMs, o), updateState: row.updateState, appliedConfigVersion: row.appliedConfigVersion, ...extra };
}

/** What judging a device needs besides its row. */
interface FleetFacts {
  groups: Map<string, string>;
  revokedAt: Map<string, string>;
  /** The card each device enrolled with (the newest one it used). */
  cardOf: Map<string, CardRecord>;
  latestRelease: ReleaseRecord | undefined;
}

function cardsByDevice(cards: readonly CardRecord[]): Map<string, CardRecord> {
  const out = new Map<string, CardRecord>();
  for (const c of cards) if (c.usedBy && !out.has(c.usedBy)) out.set(c.usedBy, c);
  return out;
}

async function manageRow(storage: CentralStorage, o: FleetViewOptions, row: DeviceHeartbeatRow, facts: FleetFacts): Promise<ManagedDevice> {
  const eff = await storage.fleet.effectiveConfig(row.deviceId);
  const applied = row.appliedConfigVersion === null ? 0 : Number(row.appliedConfigVersion);
  const { latestRelease } = facts;
  return manage(row, o, {
    group: facts.groups.get(row.deviceId) ?? null,
    revokedAt: facts.revokedAt.get(row.deviceId) ?? null,
    ...placeOf(eff.config, row, facts.cardOf.get(row.deviceId)),
    configVersion: eff.version,
    configPending: !facts.revokedAt.has(row.deviceId) && eff.version > (Number.isFinite(applied) ? applied : 0),
    manualUpdate: latestRelease !== undefined && row.version !== null && row.version !== latestRelease.version && MANUAL_STATES.has(row.updateState ?? ''),
  });
}

/** Gathers the page's data. Rejects as the storage seam does. */
export async function loadFleetView(storage: CentralStorage, o: FleetViewOptions): Promise<FleetView> {
  const L = FLEET_VIEW_LIMITS;
  const [rows, groups, revoked, profiles, cards, releases, latestRelease] = await Promise.all([
    storage.devicesWithHeartbeat(L.devices),
    storage.fleet.deviceGroups(),
    storage.fleet.revokedDevices(L.devices),
    storage.fleet.configProfiles(L.profiles),
    storage.fleet.provisioningCards(L.cards),
    storage.fleet.releases(L.releases),
    storage.fleet.latestRelease(),
  ]);
  const facts: FleetFacts = { groups, revokedAt: new Map(revoked.map((r) => [r.deviceId, r.revokedAt])), cardOf: cardsByDevice(cards), latestRelease };
  const devices: ManagedDevice[] = [];
  for (const row of rows) devices.push(await manageRow(storage, o, row, facts));
  const live = devices.filter((d) => !d.revokedAt);
  const gone = devices.filter((d) => d.revokedAt).sort((a, b) => (b.revokedAt ?? '').localeCompare(a.revokedAt ?? '') || a.deviceId.localeCompare(b.deviceId));
  return {
    nowMs: o.nowMs,
    devices: [...sortFleet(live, 'problem'), ...gone],
    profiles,
    cards: cards.slice(0, L.cardsShown),
    cardsIssued: cards.length,
    cardsUsed: cards.filter((c) => c.usedAt).length,
    releases,
    latestRelease,
  };
}

/**
 * One device as the page shows it (revoked or not), or undefined when it is not among the
 * FLEET_VIEW_LIMITS.devices devices the page lists (oldest enrollment first). Reads only that
 * device's profile, not the whole fleet's.
 */
export async function loadManagedDevice(storage: CentralStorage, o: FleetViewOptions, deviceId: string): Promise<ManagedDevice | undefined> {
  const L = FLEET_VIEW_LIMITS;
  const row = (await storage.devicesWithHeartbeat(L.devices)).find((r) => r.deviceId === deviceId);
  if (!row) return undefined;
  const [groups, revocation, cards, latestRelease] = await Promise.all([storage.fleet.deviceGroups(), storage.fleet.revocation(deviceId), storage.fleet.provisioningCards(L.cards), storage.fleet.latestRelease()]);
  const revokedAt = new Map(revocation ? [[deviceId, revocation.revokedAt]] : []);
  return manageRow(storage, o, row, { groups, revokedAt, cardOf: cardsByDevice(cards), latestRelease });
}
