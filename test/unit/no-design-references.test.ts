/**
 * Users get the repository, not our working notes: no tracked file may send a reader to a
 * blueprint they do not have. What they need lives in README.md, server/README.md and docs/.
 */
import { expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/cli.js';

// Built from parts so that this file does not match itself.
const WORD = ['DES', 'IGN'].join('');
/** The upper-case name, the file name in any case, or the word followed by doc/document/notes/§. */
const MENTIONS = [new RegExp(`\\b${WORD}\\b`), new RegExp(`${WORD}\\.md`, 'i'), new RegExp(`\\b${WORD}\\s+(doc|document|notes|§)`, 'i')];

it('no tracked file sends readers to our working notes', () => {
  // Tracked and new (not ignored) files, as a fresh clone of this branch would have them.
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '' && f !== 'package-lock.json');
  expect(files.length).toBeGreaterThan(100);
  const offenders: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
    } catch {
      continue; // deleted in the work tree
    }
    text.split('\n').forEach((line, i) => {
      if (MENTIONS.some((re) => re.test(line))) offenders.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  expect(offenders).toEqual([]);
});
