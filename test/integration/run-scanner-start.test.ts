/**
 * A scanner URI that can never work is refused at start (exit 2, naming the URI, the problem and
 * the fix); a device that is merely not there yet (a serial port plugged in later) is waited for.
 * Through the real command; the driver half (a scan file gone after the check) with the real sim source.
 */
import { existsSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, startCli } from '../helpers/cli.js';
import { createScanner } from '../../drivers/factory.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-scanner-start-'));
  mkdirSync(join(dir, 'a-folder'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run --scanner: cannot exist → exit 2 with the URI, the problem and the fix', () => {
  const cases: [string, () => string, RegExp][] = [
    ['a missing scan file', () => 'sim:/nonexistent/scans.txt', /--scanner sim:\/nonexistent\/scans\.txt: the scan file "\/nonexistent\/scans\.txt" does not exist; fix the path/],
    ['a missing video file', () => 'camera:/nonexistent/drive.mp4', /--scanner camera:\/nonexistent\/drive\.mp4: the video file .* does not exist; fix the path/],
    ['a relative path, named with the folder it was read from', () => 'sim:no-such-scans.txt', /the scan file "no-such-scans\.txt" \(read from \/.*\) does not exist/],
    ['a folder instead of a file', () => `sim:${join(dir, 'a-folder')}`, /the scan file .*a-folder" is a directory; name a text file/],
    // A video given as sim: was replayed line by line: hundreds of junk check-ins.
    ['a binary scan file (a video: NUL bytes)', () => {
      writeFileSync(join(dir, 'clip.mp4'), Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypmp42'), Buffer.alloc(64, 0), Buffer.from('\n001099012345|x\n')]));
      return `sim:${join(dir, 'clip.mp4')}`;
    }, /--scanner sim:.*clip\.mp4: the scan file ".*clip\.mp4" is not a text file \(it holds NUL bytes\); name a text file/],
    ['a scan file that is not UTF-8', () => {
      writeFileSync(join(dir, 'latin1.txt'), Buffer.concat([Buffer.from('001099012345|Nguy'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from('n\n')]));
      return `sim:${join(dir, 'latin1.txt')}`;
    }, /--scanner sim:.*latin1\.txt: the scan file ".*latin1\.txt" is not a text file \(it is not valid UTF-8\)/],
    ['an unknown scanner kind', () => 'usb:/dev/ttyACM0', /--scanner invalid scanner URI "usb:\/dev\/ttyACM0": unknown scanner kind "usb"; expected serial, hid/],
    ['bad option syntax', () => 'sim:x.txt?loop=maybe', /--scanner invalid scanner URI .*loop must be 1, 0, true or false, got "maybe"/],
    ['a HID keyboard layout the driver does not know', () => 'hid:0581:0115?layout=fr', /run: --scanner hid:0581:0115\?layout=fr: layout must be us or de, got "fr"/],
    ['an unknown HID option', () => 'hid:0581:0115?foo=1', /run: --scanner hid:0581:0115\?foo=1: unknown option "foo" for hid \(known: layout, path\)/],
    ['an unknown HID POS option', () => 'hid-pos:auto?foo=1', /run: --scanner hid-pos:auto\?foo=1: unknown option "foo" for hid-pos \(known: init, path\)/],
  ];
  it.each(cases)('%s', (_what, uri, message) => {
    const data = join(dir, `data-${Math.random().toString(36).slice(2)}`);
    const r = runCli(['run', '--data-dir', data, '--scanner', uri()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.lines.map((l) => l.event)).not.toContain('ready');
    // Refused before anything is created: no data dir (and so no database) left behind.
    expect(existsSync(data)).toBe(false);
  });
});

describe('run --scanner: the same scanner twice → exit 2 "given twice" (it was merged and a finite run never ended)', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['stdin twice', () => ['stdin', 'stdin'], /run: --scanner stdin given twice; name each scanner once \(standard input can be read by one scanner only\)/],
    ['stdin with and without options', () => ['stdin', 'stdin?maxLine=100'], /run: --scanner stdin\?maxLine=100 given twice/],
    ['the same scan file twice', () => [`sim:${join(dir, 'scans.txt')}`, `sim:${join(dir, 'scans.txt')}`], /run: --scanner sim:.*scans\.txt given twice; name each scanner once/],
    ['the same scan file with other options', () => [`sim:${join(dir, 'scans.txt')}`, `sim:${join(dir, 'scans.txt')}?intervalMs=1`], /given twice/],
    // A camera file named twice was opened once: one check-in, one `closed`, and the run hung.
    ['the same video file twice', () => [`camera:${join(dir, 'held.mp4')}`, `camera:${join(dir, 'held.mp4')}`], /run: --scanner camera:.*held\.mp4 given twice; name each scanner once/],
    ['the same video file with other options', () => [`camera:${join(dir, 'held.mp4')}`, `camera:${join(dir, 'held.mp4')}?fps=5`], /run: --scanner camera:.*held\.mp4\?fps=5 given twice; name each scanner once \(the same video file as --scanner camera:.*held\.mp4\)/],
    ['a video file by a relative and an absolute path', () => [`camera:${relative(REPO_ROOT, join(dir, 'held.mp4'))}`, `camera:${join(dir, 'held.mp4')}`], /run: --scanner camera:\/.*held\.mp4 given twice/],
    ['a video file and a symlink to it', () => [`camera:${join(dir, 'held.mp4')}`, `camera:${join(dir, 'held-link.mp4')}`], /held-link\.mp4 given twice.*the same video file/],
    // Two hard links to one file were two cameras (compared by path, not by device and inode).
    ['a video file and a hard link to it', () => [`camera:${join(dir, 'held.mp4')}`, `camera:${join(dir, 'held-hard.mp4')}`], /held-hard\.mp4 given twice; name each scanner once \(the same video file as --scanner camera:.*held\.mp4\)/],
    ['a scan file and a hard link to it', () => [`sim:${join(dir, 'scans.txt')}`, `sim:${join(dir, 'scans-hard.txt')}`], /scans-hard\.txt given twice; name each scanner once \(the same scan file/],
  ];
  it.each(cases)('%s', (_what, uris, message) => {
    writeFileSync(join(dir, 'scans.txt'), 'x\n');
    writeFileSync(join(dir, 'held.mp4'), 'not checked: refused before it is read');
    if (!existsSync(join(dir, 'held-link.mp4'))) symlinkSync(join(dir, 'held.mp4'), join(dir, 'held-link.mp4'));
    if (!existsSync(join(dir, 'held-hard.mp4'))) linkSync(join(dir, 'held.mp4'), join(dir, 'held-hard.mp4'));
    if (!existsSync(join(dir, 'scans-hard.txt'))) linkSync(join(dir, 'scans.txt'), join(dir, 'scans-hard.txt'));
    const data = join(dir, `data-${Math.random().toString(36).slice(2)}`);
    const r = runCli(['run', '--data-dir', data, ...uris().flatMap((u) => ['--scanner', u])], '');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(data)).toBe(false);
  });
});

describe('run --scanner: not there yet → retried, the kiosk keeps running', () => {
  it('a serial port that does not exist at start is shown disconnected and retried until told to stop', async () => {
    const port = join(dir, 'ttyLATER');
    const p = startCli(['run', '--data-dir', join(dir, 'serial-later'), '--scanner', `serial:${port}`]);
    await p.waitFor((l) => l.event === 'ready');
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'disconnected');
    // Still running: a closed scanner before SIGTERM would mean it gave up.
    expect(p.lines.some((l) => l.event === 'scanner' && l.state === 'closed')).toBe(false);
    expect(p.child.exitCode).toBeNull();
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });
});

describe('run --scanner: two files with one base name in two folders', () => {
  it('are two sources with their own device ids, and a finite run ends when both have ended', () => {
    // Both were `sim:scans.txt`: the run counted one end of input and waited for ever for the second.
    mkdirSync(join(dir, 'other'), { recursive: true });
    writeFileSync(join(dir, 'scans.txt'), 'first\n');
    writeFileSync(join(dir, 'other', 'scans.txt'), 'second\n');
    const r = runCli(['run', '--data-dir', join(dir, 'data-same-name'), '--scanner', `sim:${join(dir, 'scans.txt')}`, '--scanner', `sim:${join(dir, 'other', 'scans.txt')}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.filter((l) => l.event === 'checkin')).toHaveLength(2);
    const closed = r.lines.filter((l) => l.event === 'scanner' && l.state === 'closed').map((l) => l.deviceId);
    expect(closed.sort()).toEqual([`sim:${join(dir, 'other', 'scans.txt')}`, `sim:${join(dir, 'scans.txt')}`]);
    expect(r.lines.at(-1)).toEqual({ event: 'stopped' });
  });
});

describe('sim source whose file vanished after the start check', () => {
  it('ends as closed with the reason, so a finite run ends instead of waiting for nothing', async () => {
    const deps = { clock: systemClock, timers: systemTimers, logger: silentLogger };
    const sim = await createScanner(`sim:${join(dir, 'gone.txt')}`, deps);
    await expect(sim.open()).rejects.toThrow(/cannot read scan file .*gone\.txt.*ENOENT/);
    expect(sim.status()).toMatchObject({ state: 'closed', lastError: expect.stringMatching(/gone\.txt/) });
  });
});
