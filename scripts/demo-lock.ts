/**
 * One demo per kept data dir. A second `npm run demo -- --data-dir D` on a folder a running demo
 * uses would otherwise pick new ports, rewrite demo.json and enroll a second kiosk when its
 * central server fails on the first one's lock — breaking the first demo's next restart. The lock
 * is a file holding the owner's pid, made with O_EXCL; a lock whose pid no longer runs (a demo
 * killed with SIGKILL) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const DEMO_LOCK_FILE = 'demo.lock';

export type DemoLock = { ok: true; release: () => void } | { ok: false; heldBy: number };

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by someone else
  }
}

/** Takes `<dir>/demo.lock` for this process, or names the pid of the live demo that holds it. */
export function takeDemoLock(dir: string): DemoLock {
  const file = path.join(dir, DEMO_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      return { ok: true, release: () => rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && running(pid)) return { ok: false, heldBy: pid };
    rmSync(file, { force: true }); // stale: its demo is gone
  }
  throw new Error(`cannot take ${file}: it reappears as soon as it is removed`);
}
