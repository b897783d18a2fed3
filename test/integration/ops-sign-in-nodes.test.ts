/**
 * The operations room's sign-in across the nodes of one deployment: two central servers on one
 * throwaway PostgreSQL database. A browser signed in on one node is signed in on the other (the
 * session is keyed by the admin token they share, no session table); `central admin-token
 * --rotate --database` ends that sign-in on both running nodes, and a sign-in with the new token
 * holds on both again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';
import { startPgCluster } from '../helpers/postgres.js';
import type { PgCluster } from '../helpers/postgres.js';

let cluster: PgCluster;
let database: string;
let a: CentralServer;
let b: CentralServer;

beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off', synchronous_commit: 'off' });
  database = await cluster.createDatabase();
  // The nodes look for a replaced token every 50 ms here (30 s by default).
  a = await startCentral({ database, port: 0, logger: silentLogger, clock: systemClock, adminTokenRefreshMs: 50 });
  b = await startCentral({ database, port: 0, logger: silentLogger, clock: systemClock, adminTokenRefreshMs: 50 });
}, 120_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await cluster?.stop();
});

it('one sign-in holds on every node, and a rotated token ends it on every running node', async () => {
  expect(b.adminToken).toBe(a.adminToken);
  const cookie = await signIn(a.url, a.adminToken);
  for (const node of [a, b]) {
    const page = await getSignedIn(`${node.url}/dashboard`, cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('data-section="fleet"');
  }
  const fleet = await getSignedIn(`${b.url}/dashboard/fleet`, cookie);
  expect(fleet.status).toBe(200);

  let stdout = '';
  expect(await centralMain(['admin-token', '--rotate', '--database', database], { stdout: (t) => (stdout += t), stderr: () => undefined })).toBe(0);
  const rotated = stdout.trim();
  await expect.poll(() => [a.adminToken, b.adminToken], { timeout: 10_000 }).toEqual([rotated, rotated]);
  for (const node of [a, b]) {
    const refused = await getSignedIn(`${node.url}/dashboard`, cookie);
    expect(refused.status).toBe(401);
    expect(await refused.text()).toContain('data-notice="expired"');
  }
  const again = await signIn(b.url, rotated);
  for (const node of [a, b]) expect((await getSignedIn(`${node.url}/dashboard`, again)).status).toBe(200);
});
