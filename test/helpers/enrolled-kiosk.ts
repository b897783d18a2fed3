/**
 * A kiosk enrolled at a real central server on 127.0.0.1 (SQLite), in process, with its screen API:
 * what the booth-officer tests that follow a record to the server start from. The central server
 * keeps the real time; the kiosk runs on `clock` (a test may set it ahead).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCentral, type CentralServer } from '../../server/app.js';
import { createKioskApi, type KioskApiService } from '../../src/app/api.js';
import { buildKiosk } from '../../src/app/build.js';
import type { KioskService } from '../../src/app/kiosk.js';
import { silentLogger, systemTimers } from '../../src/core/system.js';
import type { Clock } from '../../src/shared/ports.js';
import { enroll } from '../../src/sync/enrollment.js';

export interface EnrolledKiosk {
  tmp: string;
  central: CentralServer;
  kiosk: KioskService;
  api: KioskApiService;
  /** The device token the enrollment gave (for a forwarder started by the test). */
  token: string;
  /** A technician session (setup code, PIN 246813), then the booth profile and a signed-in officer. */
  boothSessions(officerId?: string): Promise<{ tech: string; officer: string }>;
  /** Stops the API, the kiosk and the server and removes the directory. */
  close(): Promise<void>;
}

export async function startEnrolledKiosk(opts: { prefix: string; code: string; clock: Clock }): Promise<EnrolledKiosk> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix));
  const central = await startCentral({ dataDir: path.join(tmp, 'central'), port: 0, logger: silentLogger, clock: { now: () => Date.now() }, enrollmentCodes: [opts.code] });
  const dataDir = path.join(tmp, 'kiosk');
  const { token } = await enroll({ serverUrl: central.url, code: opts.code, dataDir, device: { name: 't', version: '0', platform: 'linux' } });
  const kiosk = await buildKiosk({ dataDir, scanners: [], clock: opts.clock, timers: systemTimers, logger: silentLogger });
  await kiosk.start();
  const api = createKioskApi({ kiosk, clock: opts.clock, timers: systemTimers, logger: silentLogger, exportDir: path.join(tmp, 'exports'), pin: { scryptN: 1024, setupCodeFile: path.join(dataDir, 'setup-code') } });
  return {
    tmp,
    central,
    kiosk,
    api,
    token,
    async boothSessions(officerId = 'officer-117') {
      const tech = await api.techSetup(fs.readFileSync(path.join(dataDir, 'setup-code'), 'utf8').trim(), '246813');
      if (!tech.ok) throw new Error(tech.reason);
      await api.techConfigure(tech.session, { profile: 'booth' });
      const { code } = await api.techIssueOfficerCode(tech.session, officerId);
      const officer = await api.officerSignIn(officerId, code);
      if (!officer.ok) throw new Error(officer.reason);
      return { tech: tech.session, officer: officer.session };
    },
    async close() {
      api.close();
      await kiosk.stop();
      await central.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
