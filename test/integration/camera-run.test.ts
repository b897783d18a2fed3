/**
 * `checkpoint-kiosk run --scanner camera:…` as a user runs it: the real bin, a real ffmpeg, the
 * real zxing-wasm, a real SQLite data dir, videos made here from QR codes.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, runCli, startCli, type JsonLine } from '../helpers/cli.js';
import { makeQrVideo } from '../helpers/camera-video.js';
import { startPtyPair } from '../helpers/pty.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { newEcKey, declarationIssuerEntry } from '../helpers/keys.js';
import { ISSUER, sampleDeclaration } from '../helpers/declaration.js';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import { setTechPin } from '../helpers/tech-pin.js';

const PIN = '135792';

const execFileAsync = promisify(execFile);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'camera-run-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A synthetic CCCD QR text (not a real person) with a distinct ID number per `n`. */
function cccd(n: number): string {
  return `00109000000${n}|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021`;
}

/**
 * Runs the kiosk to the end of a finite video; for each `checkin` line, checks at the moment it
 * is read that the check-in is already in the database (committed before printed).
 */
async function runToEnd(dataDir: string, args: string[]): Promise<{ lines: JsonLine[]; code: number | null; stderr: string; committedWhenPrinted: boolean[] }> {
  const child = spawn(process.execPath, [...CLI, 'run', '--data-dir', dataDir, '--ui', 'none', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr = (stderr + t).slice(-10_000)));
  const lines: JsonLine[] = [];
  const committedWhenPrinted: boolean[] = [];
  let db: Database.Database | undefined;
  for await (const text of createInterface({ input: child.stdout })) {
    const line = JSON.parse(text) as JsonLine;
    lines.push(line);
    if (line.event !== 'checkin') continue;
    db ??= new Database(join(dataDir, 'kiosk.db'), { readonly: true, fileMustExist: true });
    committedWhenPrinted.push(db.prepare('SELECT 1 FROM checkins WHERE id = ?').get(line.id) !== undefined);
  }
  db?.close();
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (c) => resolve(c))));
  return { lines, code, stderr, committedWhenPrinted };
}

describe('run --scanner camera:FILE --ui none', () => {
  it('prints one checkin per code shown, in order, each committed before printed; a code held for 90 frames is one check-in', async () => {
    const v = await makeQrVideo(
      dir,
      [{ blank: 3 }, { text: cccd(1), frames: 90, size: 320 }, { blank: 12 }, { text: cccd(2), frames: 6, size: 320, blur: 1 }, { noise: 4 }, { text: cccd(3), frames: 6, size: 320, rotate: 20 }, { blank: 2 }],
      { fps: 15, name: 'test' },
    );
    const data = join(dir, 'kiosk-order');
    const r = await runToEnd(data, ['--scanner', `camera:${v.path}?fps=15&width=640&height=360`]);
    expect(r.code, r.stderr).toBe(0);
    const checkins = r.lines.filter((l) => l.event === 'checkin');
    expect(checkins).toHaveLength(3);
    expect(r.committedWhenPrinted).toEqual([true, true, true]);
    expect(checkins.map((c) => [c.format, c.verdict])).toEqual([
      ['cccd', 'accept'],
      ['cccd', 'accept'],
      ['cccd', 'accept'],
    ]);
    expect(r.lines.at(-1)).toEqual({ event: 'stopped' });
    // In the order shown: the export (oldest first) has the three ID numbers in video order.
    // Identity fields are masked in a plain export: the technician PIN reveals them.
    await setTechPin(data, PIN);
    const exported = runCli(['export', '--data-dir', data, '--reveal'], `${PIN}\n`).lines;
    expect(exported.map((c) => (c.subject as { idNo: string }).idNo)).toEqual(['001090000001', '001090000002', '001090000003']);
    expect(exported.map((c) => c.id)).toEqual(checkins.map((c) => c.id));
  }, 120_000);

  it('gives a video of CCCD, DCC, CKD1, garbage codes and garbage frames the same verdicts as verify', async () => {
    const signer = makeSigner();
    const now = Math.floor(Date.now() / 1000);
    const dcc = issueHc1({ dcc: sampleVaccination(), signer, iat: now - 3600, exp: now + 365 * 86_400 });
    const key = newEcKey();
    const ckd1 = issueDeclaration(sampleDeclaration(), { privateKey: key.privateKey, kid: key.declarationKid }, { iss: ISSUER, now: new Date() });
    const trustFile = join(dir, 'trust.json');
    writeFileSync(
      trustFile,
      JSON.stringify({
        version: 1,
        issuedAt: new Date().toISOString(),
        dcc: { signers: [{ certificate: Buffer.from(signer.certificate.raw).toString('base64') }] },
        declaration: { issuers: [declarationIssuerEntry(key, 'Test issuer')] },
      }),
    );
    const texts = [cccd(4), dcc, 'not a credential at all', ckd1, 'HC1:NOT-BASE45!'];
    const v = await makeQrVideo(
      dir,
      [{ noise: 3 }, ...texts.flatMap((text) => [{ text, frames: 4, size: 340 }, { blank: 3 }, { noise: 2 }])],
      { fps: 10, width: 960, height: 540, name: 'formats' },
    );
    const r = await runToEnd(join(dir, 'kiosk-formats'), ['--trust', trustFile, '--scanner', `camera:${v.path}?fps=10&width=960&height=540`]);
    expect(r.code, r.stderr).toBe(0);
    const seen = r.lines.filter((l) => l.event === 'checkin').map((c) => ({ format: c.format, verdict: c.verdict, reasons: c.reasons }));
    const expected = await Promise.all(
      texts.map(async (text) => {
        const { stdout } = await execFileAsync(process.execPath, [...CLI, 'verify', '--trust', trustFile, text], { cwd: REPO_ROOT });
        const out = JSON.parse(stdout) as JsonLine;
        return { format: out.format, verdict: out.verdict, reasons: out.reasons };
      }),
    );
    expect(seen).toEqual(expected);
    // The credentials are what they claim: not all rejects.
    expect(expected.map((e) => e.format)).toEqual(['cccd', 'dcc', 'unknown', 'ckd1', 'dcc']);
    expect(expected.filter((e) => e.verdict === 'accept').length).toBeGreaterThanOrEqual(3);
  }, 180_000);

  it('two video files with one base name in two folders are two scanners with their own ids, and the run ends when both have', async () => {
    // Both were `camera:a3.mp4`: one `closed` line, and the run waited for ever for the second.
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const a = await makeQrVideo(dir, [{ blank: 2 }, { text: cccd(7), frames: 6, size: 320 }, { blank: 4 }], { fps: 10, name: 'a3' });
    const b = await makeQrVideo(join(dir, 'sub'), [{ blank: 2 }, { text: cccd(8), frames: 6, size: 320 }, { blank: 4 }], { fps: 10, name: 'a3' });
    const r = await runToEnd(join(dir, 'kiosk-same-name'), ['--scanner', `camera:${a.path}?width=640&height=360`, '--scanner', `camera:${b.path}?width=640&height=360`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.filter((l) => l.event === 'checkin')).toHaveLength(2);
    const closed = r.lines.filter((l) => l.event === 'scanner' && l.state === 'closed').map((l) => l.deviceId);
    expect(closed.sort()).toEqual([`camera:${a.path}`, `camera:${b.path}`].sort());
    expect(r.lines.at(-1)).toEqual({ event: 'stopped' });
  }, 120_000);

  it("never shows a password in an IP camera URL's query (README's MJPEG form): scanner event, warning, usage error", async () => {
    // Nothing listens on this port: ffmpeg's error names the URL with its query.
    const uri = 'camera:http://127.0.0.1:47531/videostream.cgi%3Fuser%3Dadmin%26pwd%3DS3cret';
    const cli = startCli(['run', '--data-dir', join(dir, 'kiosk-secret'), '--ui', 'none', '--scanner', uri]);
    try {
      const down = await cli.waitFor((l) => l.event === 'scanner' && l.state === 'disconnected' && typeof l.error === 'string', 30_000);
      expect(down.error).toMatch(/videostream\.cgi\?user=admin&pwd=\*\*\*: Connection refused/);
      await new Promise((r) => setTimeout(r, 300));
      cli.child.kill('SIGTERM');
      expect((await cli.exited).code).toBe(0);
      expect(cli.stderr()).toMatch(/camera disconnected; retrying/);
      expect(JSON.stringify(cli.lines)).not.toContain('S3cret');
      expect(cli.stderr()).not.toContain('S3cret');
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
    // A usage error quotes the URI masked too.
    const bad = runCli(['run', '--data-dir', join(dir, 'kiosk-secret-bad'), '--scanner', `${uri}?fps=99`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/pwd%3D\*\*\*\?fps=99.*fps must be/);
    expect(bad.stderr).not.toContain('S3cret');
    const twice = runCli(['run', '--data-dir', join(dir, 'kiosk-secret-twice'), '--scanner', uri, '--scanner', `${uri}?fps=5`]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/given twice/);
    expect(twice.stderr).not.toContain('S3cret');
  }, 60_000);

  it('stops gracefully when SIGTERM reaches its process group and then itself (what `timeout` does), twice in a row, or Ctrl-C twice', async () => {
    // Before: ffmpeg (in the kiosk's group) got the signal too and looked like a lost stream, and
    // the second SIGTERM ended the kiosk the default way: exit 143, no `closed`, no `stopped`.
    const v = await makeQrVideo(dir, [{ text: cccd(9), frames: 10, size: 320 }, { blank: 10 }], { fps: 10, name: 'looped' });
    for (const how of ['group then process', 'process twice', 'Ctrl-C twice'] as const) {
      const child = spawn(process.execPath, [...CLI, 'run', '--data-dir', join(dir, `kiosk-signal-${how.replace(/ /g, '-')}`), '--ui', 'none', '--scanner', `camera:${v.path}?loop=1&width=640&height=360`], {
        cwd: REPO_ROOT,
        env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
      const lines: JsonLine[] = [];
      // The code, or the signal that ended it (a crash in the stop would show as SIGABRT, SIGSEGV).
      const exited = new Promise<number | string | null>((resolve) => child.once('exit', (c, sig) => resolve(c ?? sig)));
      const checkedIn = new Promise<void>((resolve) => {
        createInterface({ input: child.stdout }).on('line', (text) => {
          lines.push(JSON.parse(text) as JsonLine);
          if (lines.at(-1)?.event === 'checkin') resolve();
        });
      });
      try {
        await checkedIn;
        // Ctrl-C: the terminal sends SIGINT to the whole foreground process group, each time.
        if (how === 'group then process') process.kill(-child.pid!, 'SIGTERM');
        else if (how === 'Ctrl-C twice') process.kill(-child.pid!, 'SIGINT');
        else child.kill('SIGTERM');
        // The second a moment later, as from a shell or a second keypress (at once they may merge).
        await new Promise((r) => setTimeout(r, 30));
        if (how === 'Ctrl-C twice') process.kill(-child.pid!, 'SIGINT');
        else child.kill('SIGTERM');
        const end = await exited;
        await new Promise((r) => setTimeout(r, 100));
        // Exit 0; or, when the stop was done (`stopped` printed) before the second signal came, that
        // signal may land while Node is already tearing the process down (its signal handlers are
        // gone then) and end it the default way: the graceful stop had finished all the same.
        if (end !== 0) expect([end, lines.at(-1)], `${how}: ${stderr}`).toEqual([expect.stringMatching(/^SIG(TERM|INT)$/), { event: 'stopped' }]);
        expect(lines.some((l) => l.event === 'scanner' && l.state === 'closed'), how).toBe(true);
        expect(lines.at(-1), how).toEqual({ event: 'stopped' });
        expect(stderr, how).not.toMatch(/camera disconnected|stopped from outside|exiting now/);
      } finally {
        // Already gone (ESRCH) is fine: the assertion above says why it failed, if it did.
        if (child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* the group is gone */
          }
        }
      }
    }
  }, 120_000);

  it('a headless run of looping video files exits 1 once every one has ended for good (its file deleted), naming the reason', async () => {
    // It ran on for ever with no scanner: the README says a headless run whose sources all end exits 1.
    const v = await makeQrVideo(dir, [{ text: cccd(4), frames: 5, size: 320 }, { blank: 5 }], { fps: 10, name: 'gone-looped' });
    const cli = startCli(['run', '--data-dir', join(dir, 'kiosk-gone-looped'), '--ui', 'none', '--scanner', `camera:${v.path}?loop=1&width=640&height=360`]);
    try {
      await cli.waitFor((l) => l.event === 'scanner' && l.state === 'connected', 30_000);
      unlinkSync(v.path);
      await cli.waitFor((l) => l.event === 'scanner' && l.state === 'closed', 15_000);
      const exit = await Promise.race([cli.exited, new Promise<'running'>((res) => setTimeout(() => res('running'), 30_000))]);
      expect(exit, cli.stderr()).not.toBe('running');
      expect((exit as { code: number | null }).code, cli.stderr()).toBe(1);
      expect(cli.stderr()).toMatch(/a scanner source could not be read: .*gone-looped\.mp4.*ENOENT; the source has ended/);
      expect(cli.lines.at(-1)).toEqual({ event: 'stopped' });
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  }, 120_000);

  it('reads a camera and a serial scanner in one kiosk, both into one pipeline', async () => {
    const v = await makeQrVideo(dir, [{ text: cccd(5), frames: 10, size: 320 }, { blank: 20 }], { fps: 10, name: 'side' });
    const pty = await startPtyPair();
    const cli = startCli(['run', '--data-dir', join(dir, 'kiosk-both'), '--ui', 'none', '--scanner', `serial:${pty.devicePath}`, '--scanner', `camera:${v.path}?loop=1&width=640&height=360`]);
    try {
      await cli.waitFor((l) => l.event === 'ready', 30_000);
      const fromCamera = await cli.waitFor((l) => l.event === 'checkin', 30_000);
      await cli.waitFor((l) => l.event === 'scanner' && l.deviceId === `serial:${pty.devicePath}` && l.state === 'connected', 15_000).catch(() => undefined);
      await pty.write(`${cccd(6)}\r\n`);
      const fromSerial = await cli.waitFor((l) => l.event === 'checkin' && l.id !== fromCamera.id, 30_000);
      expect([fromCamera.format, fromSerial.format]).toEqual(['cccd', 'cccd']);
      cli.child.kill('SIGTERM');
      expect((await cli.exited).code).toBe(0);
      await setTechPin(join(dir, 'kiosk-both'), PIN);
      const ids = runCli(['export', '--data-dir', join(dir, 'kiosk-both'), '--reveal'], `${PIN}\n`).lines.map((c) => (c.subject as { idNo: string }).idNo);
      expect(ids).toContain('001090000005');
      expect(ids).toContain('001090000006');
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
      await pty.close();
    }
  }, 120_000);
});
