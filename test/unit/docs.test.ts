// Keeps README.md true: the configuration reference table is the settings table (keys, flags,
// defaults), every exit code the code knows is documented, and the documented test command is
// the one CI runs.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { SETTINGS, IGNORED_KEYS, shownDefault } from '../../src/config/schema';
import { EXIT } from '../../src/errors';
import { loadConfigFile } from '../../src/config/load';
import * as fs from 'node:fs';

const readme = readFileSync('README.md', 'utf8');

/** The README's "Configuration reference" section, up to the next second-level heading. */
function configSection(): string {
  const start = readme.indexOf('\n## Configuration reference\n');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

interface Row {
  keys: string[];
  flags: string[];
  default?: string;
}

/** The rows of its `| Key (aliases) | Flag | Default | Meaning |` table. */
function configRows(): Row[] {
  const lines = configSection().split('\n');
  const head = lines.findIndex((l) => /^\| Key \(aliases\) \| Flag \| Default \| Meaning \|$/.test(l));
  expect(head).toBeGreaterThanOrEqual(0);
  const rows: Row[] = [];
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith('|')) break;
    const [keys, flags, dflt] = line.split(' | ').map((c) => c.replace(/^\|\s*/, ''));
    const shown = dflt.replace(/`/g, '').trim();
    rows.push({
      keys: [...keys.matchAll(/`([^`]+)`/g)].map((m) => m[1]),
      flags: [...flags.matchAll(/--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]),
      default: shown === '—' ? undefined : shown,
    });
  }
  return rows;
}

describe('the configuration reference table is the settings table', () => {
  const rows = configRows();

  test.each(SETTINGS.map((s) => [s.keys[0], s] as const))('%s', (_key, s) => {
    const row = rows.find((r) => r.keys[0] === s.keys[0]);
    expect(row).toBeDefined();
    // Canonical key first, then its aliases; the flag first, then its old spellings.
    expect(row?.keys).toEqual(s.keys);
    expect(row?.flags).toEqual([s.flag, ...(s.flagAliases ?? [])]);
    expect(row?.default).toBe(shownDefault(s));
  });

  test('no row names a key or flag the schema lacks', () => {
    const keys = new Set(SETTINGS.flatMap((s) => s.keys));
    const flags = new Set(SETTINGS.flatMap((s) => [s.flag, ...(s.flagAliases ?? [])]));
    expect(rows.flatMap((r) => r.keys).filter((k) => !keys.has(k))).toEqual([]);
    expect(rows.flatMap((r) => r.flags).filter((f) => !flags.has(f))).toEqual([]);
    expect(rows).toHaveLength(SETTINGS.length);
  });

  test('the keys upstream had and jdssc ignores are listed', () => {
    const section = configSection();
    for (const k of IGNORED_KEYS) expect(section).toContain(`\`${k}\``);
  });
});

test('every exit code is in the README table', () => {
  for (const code of Object.values(EXIT)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
});

test('the README shows the commands CI and newcomers run', () => {
  expect(readme).toContain('make demo');
  expect(readme).toContain('make test');
  expect(readFileSync('.ci/run', 'utf8')).toMatch(/^make test/m);
});

test('the example config loads without warnings', () => {
  const loaded = loadConfigFile('config-examples/jdss-Pool-0.yaml', fs);
  expect(loaded.warnings).toEqual([]);
  expect(loaded.values.pool).toBe('Pool-0');
});
