/**
 * `--scanner auto`: discover, pick (pickAuto), and return the URIs to open, with what was found
 * for the log. Never throws: no scanner found is an empty list with the reasons.
 */
import { discover, pickAuto, realDiscoveryDeps, type DiscoveryDeps, type DiscoveryResult } from './discover.js';

export interface AutoPick {
  uris: string[];
  discovery: DiscoveryResult;
}

export async function resolveAutoScanners(deps: DiscoveryDeps = realDiscoveryDeps()): Promise<AutoPick> {
  const discovery = await discover(deps);
  return { uris: pickAuto(discovery.entries).map((e) => e.uri), discovery };
}
