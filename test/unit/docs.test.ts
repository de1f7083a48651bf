// Keeps README.md true: every configuration key and exit code the code knows is documented,
// and the documented test command is the one CI runs.
import { readFileSync } from 'node:fs';
import { expect, test } from '@jest/globals';
import { SETTINGS, IGNORED_KEYS } from '../../src/config/schema';
import { EXIT } from '../../src/errors';
import { loadConfigFile } from '../../src/config/load';
import * as fs from 'node:fs';

const readme = readFileSync('README.md', 'utf8');

test('every configuration key and alias is in the README', () => {
  for (const s of SETTINGS) for (const k of s.keys) expect(readme).toContain(`\`${k}\``);
  for (const k of IGNORED_KEYS) expect(readme).toContain(`\`${k}\``);
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
