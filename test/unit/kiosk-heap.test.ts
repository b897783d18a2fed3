/**
 * The kiosk's V8 heap settings (src/cli/kiosk-heap.ts) are applied after start-up, which works
 * only because V8 reads them at every collection. A Node upgrade could change that silently, so
 * this runs a real Node process that keeps bursts of objects alive across collections (as a queue
 * of scans does) and compares the young generation it ends with, with and without the settings.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { KIOSK_V8_FLAGS, tuneHeapForKiosk } from '../../src/cli/kiosk-heap.js';

/** Young generation size (MiB, both semi-spaces) after 60 bursts of 20,000 surviving objects. */
function youngGenerationMiB(flags: readonly string[]): number {
  const script = `
    const v8 = require('node:v8');
    for (const f of ${JSON.stringify(flags)}) v8.setFlagsFromString(f);
    const keep = [];
    (async () => {
      for (let round = 0; round < 60; round++) {
        const burst = [];
        for (let i = 0; i < 20000; i++) burst.push({ i, text: 'scan ' + i, parts: [i, i] });
        keep.push(burst);
        if (keep.length > 3) keep.shift();
        await new Promise((r) => setImmediate(r));
      }
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.stdout.write(String(young.physical_space_size / 1048576));
    })();`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).toBe(''); // every flag is known to this Node
  expect(r.status).toBe(0);
  return Number(r.stdout);
}

it('keeps the young generation at its initial size under bursts of surviving objects', () => {
  const tuned = youngGenerationMiB(KIOSK_V8_FLAGS);
  const defaults = youngGenerationMiB([]);
  expect(tuned).toBeLessThanOrEqual(4);
  expect(defaults).toBeGreaterThan(tuned * 2); // what the settings prevent
});

it('applies every flag, in order', () => {
  const applied: string[] = [];
  tuneHeapForKiosk((f) => applied.push(f));
  expect(applied).toEqual([...KIOSK_V8_FLAGS]);
});
