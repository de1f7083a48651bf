// The global flags are generated from the settings table: every setting has exactly one flag
// named after one of its keys, no name is declared twice, the old spellings still mean the same
// setting, and --help shows what the table says (group, default, hidden).
import * as fs from 'node:fs';
import { Writable, Readable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import yargs from 'yargs';
import { addGlobalOptions, otherOptions, REFUSED_SECRET_FLAGS, settingOptions } from '../../src/cli/globalOptions';
import { main } from '../../src/cli/main';
import { resolveConfig } from '../../src/config/resolve';
import { SETTINGS, shownDefault, type Settings } from '../../src/config/schema';

const kebab = (key: string) => key.replace(/_/g, '-');

/** Parses argv with the global options only, as main() would, and returns the flag values. */
function parse(args: string[]): Record<string, unknown> {
  return addGlobalOptions(yargs())
    .strict()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseSync(args) as Record<string, unknown>;
}

function settingsFrom(args: string[]): Settings {
  return resolveConfig({ flags: parse(args), env: {}, fs }).settings;
}

/** A valid value for each setting that has an old flag spelling. */
const SAMPLES: Partial<Record<keyof Settings, string>> = {
  pool: 'Pool-7',
  caFile: '/etc/pve/ca.pem',
  chapUser: 'pvechap',
  restAttempts: '1',
};

describe('every setting has one flag', () => {
  test.each(SETTINGS.map((s) => [s.setting, s] as const))('%s', (_name, s) => {
    expect(s.flag).toMatch(/^[a-z][a-z0-9-]*$/);
    // Named after the setting's YAML keys, so a setting moves between file and command line as is.
    expect(s.keys.map(kebab)).toContain(s.flag);
    expect(settingOptions()[s.flag]).toMatchObject({ type: 'string', global: true, describe: s.describe });
    // A yargs default would count as given and override the YAML file: the default is only shown.
    expect(settingOptions()[s.flag]).not.toHaveProperty('default');
  });

  test('the generated options are exactly the table', () => {
    expect(Object.keys(settingOptions()).sort()).toEqual(SETTINGS.map((s) => s.flag).sort());
  });
});

test('no flag name or alias is declared twice', () => {
  const names: string[] = [];
  for (const s of SETTINGS) names.push(s.flag, ...(s.flagAliases ?? []));
  for (const [name, o] of Object.entries(otherOptions())) names.push(name, ...[o.alias ?? []].flat());
  names.push('help', 'h', 'version', 'completion');
  const twice = names.filter((n, i) => names.indexOf(n) !== i);
  expect(twice).toEqual([]);
});

describe('old flag spellings parse to the same setting', () => {
  const aliased = SETTINGS.filter((s) => s.flagAliases?.length);

  test('these are today’s old spellings', () => {
    // Scripts, tests and the Perl plugin pass them (perl/PVE/Storage/Custom/JovianDSSPlugin.pm).
    expect(Object.fromEntries(aliased.map((s) => [s.flag, s.flagAliases]))).toEqual({
      'pool-name': ['pool'],
      'ssl-ca-file': ['ca-file'],
      'chap-user-name': ['chap-user'],
      'rest-attempts': ['attempts'],
    });
  });

  test.each(aliased.flatMap((s) => (s.flagAliases ?? []).map((a) => [a, s.flag, s] as const)))('--%s means --%s', (alias, flag, s) => {
    const value = SAMPLES[s.setting];
    expect(value).toBeDefined();
    const viaAlias = settingsFrom([`--${alias}`, value as string]);
    const viaFlag = settingsFrom([`--${flag}`, value as string]);
    expect(viaAlias[s.setting]).toEqual(viaFlag[s.setting]);
    expect(viaAlias[s.setting]).not.toEqual(settingsFrom([])[s.setting]);
    // yargs fills both names, so code that reads either spelling sees the value.
    const argv = parse([`--${alias}`, value as string]);
    expect(argv[flag]).toBe(value);
    expect(argv[alias]).toBe(value);
  });

  test('an old spelling given without yargs (resolveConfig callers) still counts, and errors name it', () => {
    expect(resolveConfig({ flags: { attempts: '2' }, env: {}, fs }).settings.restAttempts).toBe(2);
    expect(() => resolveConfig({ flags: { attempts: 'x' }, env: {}, fs })).toThrow(/^--attempts:/);
  });

  test('both spellings together are one flag given twice (refused, as a repeated flag always was)', () => {
    expect(() => settingsFrom(['--pool', 'Pool-1', '--pool', 'Pool-2'])).toThrow(/got Pool-1,Pool-2/);
    expect(() => settingsFrom(['--pool', 'Pool-1', '--pool-name', 'Pool-2'])).toThrow(/got Pool-1,Pool-2/);
  });
});

test('the secret flags are still refused', () => {
  for (const flag of REFUSED_SECRET_FLAGS) expect(() => parse([`--${flag}`, 'x'])).toThrow(/secrets never go on the command line/);
});

describe('--help', () => {
  class Capture extends Writable {
    text = '';
    override _write(chunk: Buffer | string, _enc: string, cb: () => void): void {
      this.text += chunk.toString();
      cb();
    }
  }

  async function help(): Promise<string> {
    const stdout = new Capture();
    const code = await main(['--help'], { stdout, stderr: new Capture(), stdin: Readable.from([]), env: {} });
    expect(code).toBe(0);
    return stdout.text;
  }

  /** The heading and the text (wrapped lines joined) of the help entry that starts with `--flag`. */
  function entry(text: string, flag: string): { heading?: string; text: string } | undefined {
    const lines = text.split('\n');
    const at = lines.findIndex((l) => new RegExp(`^\\s+(-\\w, )?--${flag}(,|\\s|$)`).test(l));
    if (at < 0) return undefined;
    let end = at + 1;
    while (end < lines.length && lines[end].trim() !== '' && !/^\s+-/.test(lines[end])) end++;
    const heading = lines
      .slice(0, at)
      .reverse()
      .find((l) => /^\S.*:$/.test(l));
    return { heading, text: lines.slice(at, end).join(' ').replace(/\s+/g, ' ') };
  }

  test('lists every visible setting under its group, with its old spellings and default', async () => {
    const text = await help();
    const heading = { connection: 'Connection:', storage: 'Storage defaults:', output: 'Output and logging:' };
    for (const s of SETTINGS) {
      const e = entry(text, s.flag);
      if (s.hidden) {
        expect([s.flag, e]).toEqual([s.flag, undefined]);
        continue;
      }
      expect(e).toBeDefined();
      expect([s.flag, e?.heading]).toEqual([s.flag, heading[s.group]]);
      for (const a of s.flagAliases ?? []) expect(e?.text).toContain(`--${s.flag}, --${a}`);
      const shown = shownDefault(s);
      if (shown !== undefined) expect(e?.text).toContain(`[default: ${shown}]`);
    }
    // The man page (scripts/man.mjs) cuts the global options from "Connection:" on.
    expect(entry(text, 'config')?.heading).toBe('Connection:');
  });
});
