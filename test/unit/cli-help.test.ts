/**
 * `checkpoint-kiosk --help` is complete: every command, subcommand and flag the README's command
 * line section names, and every scanner and output URI kind of its tables, is in the help text.
 */
import { expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HELP } from '../../src/cli/help.js';
import { REPO_ROOT } from '../helpers/cli.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const section = (title: string) => {
  const start = readme.indexOf(`## ${title}`);
  expect(start, `README section "${title}"`).toBeGreaterThan(-1);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end === -1 ? undefined : end);
};

it('lists every command and flag of the README', () => {
  const cli = section('Command line');
  const commands = [...cli.matchAll(/^checkpoint-kiosk ((?:central )?[a-z-]+)/gm)].map((m) => m[1]!);
  expect(commands).toEqual(expect.arrayContaining(['run', 'verify', 'export', 'devices', 'central enroll-code', 'central admin-token', 'central export', 'central trace', 'central trust-bundle']));
  for (const c of commands) expect(HELP, c).toContain(`checkpoint-kiosk ${c}`);
  const flags = new Set([...readme.matchAll(/(?<![\w-])--[a-z][a-z-]+/g)].map((m) => m[0]));
  // Flags of npm and of other programs that the README quotes (curl's in the verify recipe).
  for (const other of ['--kiosk', '--app', '--import', '--interval-ms', '--json', '--data-urlencode']) flags.delete(other);
  // Chromium's and systemctl's, in the README's systemd units.
  for (const other of ['--noerrdialogs', '--disable-session-crashed-bubble', '--disable-infobars', '--no-first-run', '--check-for-update-interval', '--disable-pinch', '--overscroll-history-navigation', '--user', '--now']) flags.delete(other);
  for (const flag of flags) expect(HELP, flag).toContain(flag);
  expect(HELP).toContain('--data-dir');
});

it('shows every scanner and output URI kind with the README syntax', () => {
  const uris = [...readme.matchAll(/^\| `((?:serial|hid|hid-pos|sim|stdin|auto|hid-relay|serial-relay|beeper|none)[^`]*)`/gm)].map((m) => m[1]!);
  expect(uris.length).toBeGreaterThanOrEqual(10);
  for (const uri of uris) {
    const kind = /^[a-z-]+/.exec(uri)![0];
    expect(HELP, uri).toMatch(new RegExp(`(^|\\s)${kind}(:|\\[|\\s|$)`, 'm'));
  }
  // One syntax everywhere: the README's option lists are the help's.
  for (const options of ['channel=1&pulseMs=800&on=accept', 'on=accept,reject,refer', 'intervalMs', 'maxLine=8192&idleMs=0']) {
    expect(readme).toContain(options);
    expect(HELP).toContain(options);
  }
});
