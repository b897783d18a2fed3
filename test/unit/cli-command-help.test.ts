/**
 * `COMMAND --help` prints that command's own usage — its synopsis and an option line for every
 * flag the synopsis names — and not the other commands'; `central SUBCOMMAND --help` likewise,
 * through the real command and through the stand-alone central entry (server/main.ts).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { KIOSK_COMMANDS } from '../../src/cli/help.js';
import { CENTRAL_COMMANDS, type CommandHelp } from '../../server/cli-help.js';
import { centralMain } from '../../server/cli.js';
import { REPO_ROOT, runCli } from '../helpers/cli.js';

const flagsOf = (text: string) => new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]+/g)].map((m) => m[0]));

/** Every flag of the synopsis has its own line in the options (what it does, its default). */
function expectOptionsCover(name: string, help: CommandHelp) {
  const optionLines = help.options.split('\n').join('\n');
  for (const flag of flagsOf(help.synopsis)) expect(optionLines, `${name}: ${flag}`).toMatch(new RegExp(`^  (--[\\w-]+[^\\n]*, )?${flag}(?![\\w-])|^  --[\\w-]+ [^\\n]*\\| ${flag}(?![\\w-])`, 'm'));
}

describe('kiosk commands', () => {
  it.each(Object.keys(KIOSK_COMMANDS))('%s --help: its own usage and options, exit 0', (name) => {
    const r = runCli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage:\\n  checkpoint-kiosk ${name}( |\\n)`));
    for (const other of Object.keys(KIOSK_COMMANDS).filter((o) => o !== name)) expect(r.stdout).not.toContain(`checkpoint-kiosk ${other} `);
    expect(r.stdout).not.toContain('checkpoint-kiosk central');
    expectOptionsCover(name, KIOSK_COMMANDS[name]!);
    for (const flag of flagsOf(KIOSK_COMMANDS[name]!.synopsis)) expect(r.stdout).toContain(flag);
  });
  it('devices says what it lists: serial, HID and cameras', () => {
    expect(runCli(['devices', '--help']).stdout).toMatch(/serial, HID and V4L2 cameras/);
  });
});

/** `central …` in this process (the same centralMain the command and central.js run). */
async function central(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), stopSignal: Promise.resolve() });
  return { code, stdout, stderr };
}

describe('central subcommands', () => {
  const subs = Object.keys(CENTRAL_COMMANDS).filter((k) => k !== 'serve');
  it('checkpoint-kiosk central trace --help goes to the subcommand, not the overview', () => {
    const r = runCli(['central', 'trace', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}checkpoint-kiosk central trace /);
  });
  it.each(subs)('central %s --help: its own usage and options, exit 0', async (sub) => {
    const r = await central([...sub.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage:\\n  checkpoint-kiosk central ${sub} `));
    for (const other of subs.filter((o) => o !== sub && !o.startsWith(`${sub} `))) expect(r.stdout).not.toContain(`checkpoint-kiosk central ${other} `);
    expectOptionsCover(sub, CENTRAL_COMMANDS[sub]!);
  });
  it('central --help: the server with its options and a list of the subcommands', async () => {
    const r = await central(['--help']);
    expect(r.code).toBe(0);
    expectOptionsCover('serve', CENTRAL_COMMANDS.serve!);
    expect(r.stdout).toMatch(/^Usage:\n {2}checkpoint-kiosk central \(--data-dir/);
    for (const sub of subs) expect(r.stdout).toContain(`checkpoint-kiosk central ${sub} `);
  });
  it('central config --help shows both of its actions; an unknown subcommand is a usage error', async () => {
    const r = await central(['config', '--help']);
    expect(r.stdout).toContain('central config set ');
    expect(r.stdout).toContain('central config show ');
    const bad = await central(['bogus', '--help']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown subcommand "bogus"/);
  });
  it('the stand-alone central entry answers --help too', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'server/main.ts'), 'trace', '--help'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}checkpoint-kiosk central trace /);
  });
});
