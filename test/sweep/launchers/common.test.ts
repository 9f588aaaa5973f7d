import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  dnsLabel,
  formatWallTime,
  LauncherError,
  localCliCommand,
  parseMemory,
  parseWallTime,
  positiveInt,
  shellQuote,
} from '../../../src/sweep/launchers/common.js';
import { REPO_ROOT } from '../../support/run-cli.js';

describe('parseWallTime (sbatch --time notation)', () => {
  it.each([
    ['10', 600],
    ['10:30', 630],
    ['01:00:00', 3600],
    ['2:03:04', 7384],
    ['1-0', 86_400],
    ['1-02', 93_600],
    ['1-02:03', 93_780],
    ['1-02:03:04', 93_784],
  ])('%s = %d s', (text, seconds) => {
    expect(parseWallTime(text)).toBe(seconds);
  });

  it.each(['', '1h', '1:60', '1:2:61', '-5', '1-', '0', '00:00:00', '1.5'])(
    'rejects %j naming the option',
    (text) => {
      expect(() => parseWallTime(text)).toThrow(LauncherError);
      expect(() => parseWallTime(text)).toThrow(/--time: expected/);
    },
  );

  it('formats back to what it parsed', () => {
    for (const s of [1, 59, 600, 3600, 7384, 86_400, 93_784, 10 * 86_400 + 1])
      expect(parseWallTime(formatWallTime(s))).toBe(s);
    expect(formatWallTime(93_784)).toBe('1-02:03:04');
    expect(formatWallTime(3600)).toBe('01:00:00');
  });
});

describe('parseMemory (binary units, default MiB, as Slurm)', () => {
  it.each([
    ['500', 500],
    ['500M', 500],
    ['2G', 2048],
    ['2g', 2048],
    ['1T', 1_048_576],
    ['2048K', 2],
    ['1K', 1],
  ])('%s = %d MiB', (text, mib) => {
    expect(parseMemory(text)).toBe(mib);
  });
  it.each(['', '2GB', '1.5G', 'G', '0', '-1M'])('rejects %j', (text) => {
    expect(() => parseMemory(text)).toThrow(/--mem: /);
  });
});

describe('positiveInt', () => {
  it('accepts integers >= 1 and names the option otherwise', () => {
    expect(positiveInt('7', '--throttle')).toBe(7);
    expect(positiveInt(3, '--throttle')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'x', '', '1e3'])
      expect(() => positiveInt(bad, '--throttle')).toThrow(
        `--throttle: expected a positive integer, got '${bad}'`,
      );
  });
});

describe('shellQuote', () => {
  it('reaches the program as exactly one argument, whatever the characters', () => {
    const words = [
      'plain',
      'with space',
      "it's",
      '$HOME',
      '`id`',
      'a"b',
      'back\\slash',
      '*',
      '',
      'new\nline',
    ];
    const script = `printf '%s\\0' ${words.map(shellQuote).join(' ')}`;
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(words);
  });
  it('leaves plain paths and flags unquoted (readable scripts)', () => {
    expect(shellQuote('/usr/bin/node')).toBe('/usr/bin/node');
    expect(shellQuote('--import')).toBe('--import');
    expect(shellQuote('file:///a/b.mjs')).toBe('file:///a/b.mjs');
  });
});

describe('localCliCommand', () => {
  it('makes the tsx loader and the entry script absolute, so a job started elsewhere finds them', () => {
    const entry = join(REPO_ROOT, 'src/cli/entry.ts');
    const cmd = localCliCommand(entry, ['--import', 'tsx', '--inspect'], '/opt/node/bin/node');
    expect(cmd[0]).toBe('/opt/node/bin/node');
    expect(cmd[1]).toBe('--import');
    expect(cmd[2]).toMatch(/^file:\/\//);
    expect(fileURLToPath(cmd[2])).toBe(resolve(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs'));
    expect(cmd[3]).toBe(entry);
    expect(cmd).toHaveLength(4); // --inspect is the caller's, not the job's
  });

  it('resolves a symlinked bin (an npm install) to the real script, keeps --import=X form', () => {
    const dir = mkdtempSync(join(tmpdir(), 'exoniche-cli-'));
    const link = join(dir, 'exoniche');
    symlinkSync(join(REPO_ROOT, 'bin/exoniche.js'), link);
    expect(localCliCommand(link, ['--import=tsx'], '/n')).toEqual([
      '/n',
      `--import=${pathToFileURL(resolve(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href}`,
      join(REPO_ROOT, 'bin/exoniche.js'),
    ]);
  });
});

describe('dnsLabel', () => {
  it('lower-cases, replaces runs of other characters by one dash, trims to the limit', () => {
    expect(dnsLabel('My Sweep_2026!!')).toBe('my-sweep-2026');
    expect(dnsLabel('--x--')).toBe('x');
    expect(dnsLabel('___')).toBe('sweep');
    expect(dnsLabel(`${'a'.repeat(30)}-${'b'.repeat(30)}`, 31)).toBe('a'.repeat(30));
  });
});
