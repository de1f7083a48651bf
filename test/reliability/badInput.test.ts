// Bad input: every case gets its documented exit code, one clear line on stderr, and not a
// single mutating request reaches the array (checked in the simulator's request log).
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
let files: Record<string, string>;
beforeAll(async () => {
  env = await cliEnv();
  expect((await env.run(['volume', 'create', 'vm-100-disk-0', '--size', '1G'])).code).toBe(0);
  expect((await env.run(['snapshot', 'create', 'vm-100-disk-0', 'base'])).code).toBe(0);
  const f = (name: string, text: string, mode = 0o600) => {
    const p = join(env.dir, name);
    writeFileSync(p, text);
    chmodSync(p, mode);
    return p;
  };
  files = {
    badYaml: f('bad.yaml', 'control_port: [82\n'),
    wrongType: f('type.yaml', 'control_port: eighty-two\n'),
    listTop: f('list.yaml', '- a\n- b\n'),
    unreadable: f('unreadable.yaml', 'pool_name: x\n', 0o000),
    worldPw: f('world.pw', `${env.password}\n`, 0o644),
    emptyPw: f('empty.pw', '\n'),
  };
});
afterAll(async () => env.close());

const cases: Array<[string, string[], number, RegExp]> = [
  // names
  ['volume name with a slash', ['volume', 'create', 'a/b', '--size', '1G'], 2, /is not valid/],
  ['empty volume name', ['volume', 'create', '', '--size', '1G'], 2, /is not valid/],
  ['volume name with a newline', ['volume', 'create', 'vm\n1', '--size', '1G'], 2, /is not valid/],
  ['overlong volume name', ['volume', 'create', 'x.'.repeat(120), '--size', '1G'], 2, /too long/],
  ['snapshot name with @', ['snapshot', 'create', 'vm-100-disk-0', 'a@b'], 2, /is not valid/],
  ['clone onto a bad name', ['volume', 'clone', 'vm-100-disk-0', 'bad/name'], 2, /is not valid/],
  ['rename onto a bad name', ['volume', 'rename', 'vm-100-disk-0', ' lead'], 2, /is not valid/],
  // sizes
  ['size 0', ['volume', 'create', 'vm-101-disk-0', '--size', '0'], 2, /more than 0/],
  ['negative size', ['volume', 'create', 'vm-101-disk-0', '--size=-1G'], 2, /expected a size/],
  ['size not a number', ['volume', 'create', 'vm-101-disk-0', '--size', 'big'], 2, /expected a size/],
  ['size with an unknown unit', ['volume', 'create', 'vm-101-disk-0', '--size', '10X'], 2, /expected a size/],
  ['size beyond 2^53', ['volume', 'create', 'vm-101-disk-0', '--size', '99999999P'], 2, /too large/],
  ['shrink', ['volume', 'resize', 'vm-100-disk-0', '--size', '1M'], 2, /refusing to shrink/],
  ['resize with both flags', ['volume', 'resize', 'vm-100-disk-0', '--size', '2G', '--grow-by', '1G'], 2, /exactly one/],
  // block sizes, provisioning
  ['block size 3K', ['volume', 'create', 'vm-101-disk-0', '--size', '1G', '--block-size', '3K'], 2, /block size must be one of/],
  ['block size 2M', ['volume', 'create', 'vm-101-disk-0', '--size', '1G', '--block-size', '2M'], 2, /block size must be one of/],
  ['thin and thick', ['volume', 'create', 'vm-101-disk-0', '--size', '1G', '--thin', '--thick'], 2, /cannot be used together/],
  // VM ids
  ['VM id not a number', ['volume', 'free-name', '--vmid', 'abc'], 2, /expected a VM id/],
  ['VM id 0', ['volume', 'list', '--vmid', '0'], 2, /expected a VM id/],
  ['publish without a derivable VM id', ['target', 'publish', 'vm-100-disk-0', '--vmid', '-3'], 2, /expected a VM id|Not enough|Unknown/],
  // flags and commands
  ['unknown flag', ['volume', 'list', '--frobnicate'], 2, /Unknown argument/],
  ['unknown verb', ['volume', 'explode', 'x'], 2, /Unknown argument|give a volume verb/],
  ['missing required flag', ['volume', 'create', 'vm-101-disk-0'], 2, /Missing required argument/],
  ['password on the command line', ['--password', 'hunter2hunter2', 'pool', 'stats'], 2, /secrets never go on the command line/],
  ['bad port flag', ['--control-port', '99999', 'pool', 'stats'], 2, /--control-port/],
  ['bad address flag', ['--control-addresses', 'appliance.local', 'pool', 'stats'], 2, /not an IP address/],
  [
    'rollback --check with --destroy-newer',
    ['snapshot', 'rollback', 'vm-100-disk-0', 'base', '--check', '--destroy-newer'],
    2,
    /mutually exclusive/,
  ],
];

test.each(cases)('%s → exit %#', async (_label, args, code, why) => {
  env.sim.requests.reset();
  const r = await env.run([...args, '--json']);
  expect(r.code).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(why);
  expect(r.json?.error?.exit).toBe(code);
  expect(env.mutations()).toBe(0);
  expect(r.stderr).not.toContain('hunter2hunter2');
});

const configCases: Array<[string, () => string[], RegExp]> = [
  ['missing config file', () => ['-c', join(env.dir, 'nope.yaml')], /does not exist/],
  ['unparsable YAML', () => ['-c', files.badYaml], /invalid YAML at line/],
  ['wrong type', () => ['-c', files.wrongType], /control_port: expected an integer/],
  ['list instead of keys', () => ['-c', files.listTop], /key: value/],
  ['world-readable password file', () => ['--password-file', files.worldPw], /readable by other users/],
  ['empty password file', () => ['--password-file', files.emptyPw], /is empty/],
  ['missing password file', () => ['--password-file', join(env.dir, 'none.pw')], /does not exist/],
];

test.each(configCases)('config: %s → exit 2, nothing sent', async (_label, extra, why) => {
  env.sim.requests.reset();
  const args = extra();
  const r = await env.run([...args, 'volume', 'create', 'vm-102-disk-0', '--size', '1G', '--json'], { noConfig: args[0] === '-c' });
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(why);
  expect(env.sim.requests.count({})).toBe(0);
  expect(r.stderr).not.toContain(env.password);
});

test('an unreadable config file (when not root) or a directory → exit 2', async () => {
  const r = await env.run(['-c', env.dir, 'pool', 'stats'], { noConfig: true });
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/is a directory/);
});
