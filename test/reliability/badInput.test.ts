// Bad input: every case gets its documented exit code, one clear line on stderr, and not a
// single mutating request reaches the array (checked in the simulator's request log).
// Input that conflicts with the array's state (taken names, missing parents, sizes beyond the
// pool, a wrong password) gets the same, except that one change the appliance refuses whole
// may be sent: nothing is changed, and nothing has to be undone.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import yargs from 'yargs';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { NOUNS, TOP_LEVEL } from '../../src/cli/commandTable';
import { otherOptions, settingOptions } from '../../src/cli/globalOptions';
import type { CommandDef } from '../../src/cmdutil/command';

let env: CliEnv;
let files: Record<string, string>;
beforeAll(async () => {
  env = await cliEnv();
  expect((await env.run(['volume', 'create', 'vm-100-disk-0', '--size', '1G'])).code).toBe(0);
  expect((await env.run(['snapshot', 'create', 'vm-100-disk-0', 'base'])).code).toBe(0);
  expect((await env.run(['volume', 'create', 'vm-100-disk-1', '--size', '1G'])).code).toBe(0);
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
    wrongPw: f('wrong.pw', 'not-the-Password-1\n'),
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
  // `--` ends the options: what follows is an operand even when it starts with '-'
  ['an operand after --', ['volume', 'get', '--', '-odd-name'], 3, /volume -odd-name does not exist/],
  ['a bad operand after --', ['volume', 'create', '--size', '1G', '--', '-a/b'], 2, /"-a\/b" is not valid/],
  ['two operands after -- where one belongs', ['volume', 'get', '--', '-a', '-b'], 2, /Unknown argument: -b/],
  // signed and negative sizes: a size is what to have, not a change
  ['size -1G as a separate word', ['volume', 'create', 'vm-101-disk-0', '--size', '-1G'], 2, /--size: expected a size .*without a sign/],
  ['size +1G', ['volume', 'create', 'vm-101-disk-0', '--size', '+1G'], 2, /--size: expected a size .*without a sign/],
  ['size -1', ['volume', 'create', 'vm-101-disk-0', '--size', '-1'], 2, /--size: expected a size .*without a sign/],
  ['size=+1G', ['volume', 'create', 'vm-101-disk-0', '--size=+1G'], 2, /--size: expected a size .*without a sign/],
  ['resize to -1G', ['volume', 'resize', 'vm-100-disk-0', '--size', '-1G'], 2, /--size: expected a size .*without a sign/],
  ['grow by -1G', ['volume', 'resize', 'vm-100-disk-0', '--grow-by', '-1G'], 2, /--grow-by: expected a size .*without a sign/],
  // an option that takes a value, given none
  ['--snapshot without a value', ['target', 'get', 'vm-100-disk-0', '--snapshot'], 2, /--snapshot needs a value/],
  ['--size without a value', ['volume', 'create', 'vm-101-disk-0', '--size'], 2, /--size needs a value/],
  ['a global flag without a value', ['pool', 'stats', '--pool-name'], 2, /--pool-name needs a value/],
  [
    'rollback --check with --destroy-newer',
    ['snapshot', 'rollback', 'vm-100-disk-0', 'base', '--check', '--destroy-newer'],
    2,
    /mutually exclusive/,
  ],
];

/** The words that run `def` ("noun verb" or the top-level command) with each required positional filled in. */
function invocation(noun: string | undefined, def: CommandDef): string[] {
  const [verb, ...rest] = def.command.split(' ');
  const operands = rest.filter((w) => w.startsWith('<')).map((_w, i) => ['vm-100-disk-0', 'base', 'vm-108-disk-0'][i] ?? 'x');
  return [...(noun ? [noun] : []), verb, ...operands];
}

/** An option's every name as yargs knows it: key → aliases. */
function optionNames(options: Record<string, { alias?: string | readonly string[] }>): Array<[string, string[]]> {
  return Object.entries(options).map(([k, o]) => [k, o.alias === undefined ? [] : ([] as string[]).concat(o.alias)]);
}

function commandOptions(def: CommandDef): Array<[string, string[], boolean]> {
  const y = def.builder ? def.builder(yargs()) : yargs();
  const o = (
    y as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]>; boolean: string[]; array: string[] } }
  ).getOptions();
  const positionals = new Set([...def.command.matchAll(/[<[]([\w-]+)[>\]]/g)].map((m) => m[1]));
  const aliases = new Set(Object.values(o.alias).flat());
  return Object.keys(o.key)
    .filter((k) => !positionals.has(k) && !aliases.has(k) && k !== 'help' && k !== 'version' && !o.array.includes(k))
    .map((k) => [k, o.alias[k] ?? [], o.boolean.includes(k)]);
}

/** The two words of one use of an option (one for a flag). */
const once = (name: string, flag: boolean) => (name.length === 1 ? [`-${name}`] : [`--${name}`]).concat(flag ? [] : ['x']);

/**
 * Every option of every command and every global option, given twice (and under two of its
 * names where it has aliases): generated from the command table, so a new option is covered
 * the day it is added.
 */
const repeated: Array<[string, string[], number, RegExp]> = [];
for (const [noun, defs] of [...NOUNS.map((n) => [n.name, n.verbs] as const), [undefined, TOP_LEVEL] as const]) {
  for (const def of defs) {
    for (const [key, aliases, flag] of commandOptions(def)) {
      const words = invocation(noun, def);
      repeated.push([
        `${words.join(' ')} --${key} twice`,
        [...words, ...once(key, flag), ...once(key, flag)],
        2,
        new RegExp(`--${key} given twice`),
      ]);
      for (const a of aliases)
        repeated.push([
          `${words.join(' ')} --${key} and its alias ${a}`,
          [...words, ...once(key, flag), ...once(a, flag)],
          2,
          new RegExp(`--${key} given twice`),
        ]);
    }
  }
}
const globalFlags = { ...settingOptions(), ...otherOptions() };
for (const [key, aliases] of optionNames(globalFlags)) {
  const flag = globalFlags[key].type === 'boolean';
  repeated.push([
    `global --${key} twice`,
    [...once(key, flag), ...once(key, flag), 'pool', 'stats'],
    2,
    new RegExp(`--${key} given twice`),
  ]);
  for (const a of aliases)
    repeated.push([
      `global --${key} and its alias ${a}`,
      [...once(a, flag), 'pool', 'stats', ...once(key, flag)],
      2,
      new RegExp(`--${key} given twice`),
    ]);
}

test('the repeated-option rows cover every command and the global flags', () => {
  const all = [...NOUNS.flatMap((n) => n.verbs), ...TOP_LEVEL];
  const withOptions = all.filter((d) => commandOptions(d).length > 0);
  expect(withOptions.length).toBeGreaterThan(all.length / 2);
  expect(repeated.length).toBeGreaterThan(60);
  for (const k of ['size', 'pool-name', 'config', 'json', 'snapshot', 'force'])
    expect(repeated.some(([l]) => l.includes(`--${k} `))).toBe(true);
});

test.each([...cases, ...repeated])('%s → exit %#', async (_label, args, code, why) => {
  env.sim.requests.reset();
  const end = args.includes('--') ? args.indexOf('--') : args.length; // --json before the operands
  // a row that gives --config itself runs without the test's own -c
  const own = args.some((a) => a === '-c' || a === '--config');
  const r = await env.run([...args.slice(0, end), '--json', ...args.slice(end)], { noConfig: own });
  expect(r.code).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(why);
  expect(r.json?.error?.exit).toBe(code);
  expect(env.mutations()).toBe(0);
  expect(r.stderr).not.toContain('hunter2hunter2');
});

/** Every volume with its size and snapshots, to compare before and after. */
const arrayState = () => [...env.sim.state.pool('Pool-0')!.volumes.values()].map((v) => [v.name, v.volsize, [...v.snapshots.keys()]]);

/** [label, args, exit code, stderr pattern, refused changes allowed (0 when reads prove it first)] */
const conflictCases: Array<[string, string[], number, RegExp, number]> = [
  // taken names
  ['create onto a taken name', ['volume', 'create', 'vm-100-disk-0', '--size', '1G'], 4, /already exists/, 1],
  [
    'snapshot onto a taken name',
    ['snapshot', 'create', 'vm-100-disk-0', 'base'],
    4,
    /snapshot base of volume vm-100-disk-0 already exists/,
    1,
  ],
  ['rename onto a taken name', ['volume', 'rename', 'vm-100-disk-0', 'vm-100-disk-1'], 4, /vm-100-disk-1 already exists/, 0],
  ['whole-volume clone onto a taken name', ['volume', 'clone', 'vm-100-disk-0', 'vm-100-disk-1'], 4, /vm-100-disk-1 already exists/, 0],
  [
    'snapshot clone onto a taken name',
    ['volume', 'clone', 'vm-100-disk-0', 'vm-100-disk-1', '--snapshot', 'base'],
    4,
    /vm-100-disk-1 already exists/,
    1,
  ],
  // missing parents
  ['snapshot of a missing volume', ['snapshot', 'create', 'vm-404-disk-0', 's'], 3, /volume vm-404-disk-0 does not exist/, 1],
  [
    'clone of a missing snapshot',
    ['volume', 'clone', 'vm-100-disk-0', 'vm-105-disk-0', '--snapshot', 'nope'],
    3,
    /snapshot nope of volume vm-100-disk-0 does not exist/,
    1,
  ],
  ['clone of a missing volume', ['volume', 'clone', 'vm-404-disk-0', 'vm-105-disk-0'], 3, /volume vm-404-disk-0 does not exist/, 0],
  ['rename of a missing volume', ['volume', 'rename', 'vm-404-disk-0', 'vm-105-disk-0'], 3, /volume vm-404-disk-0 does not exist/, 0],
  // sizes beyond the pool (100 GiB)
  ['create larger than the pool', ['volume', 'create', 'vm-106-disk-0', '--size', '200G'], 8, /not enough free space/, 1],
  ['resize beyond the pool', ['volume', 'resize', 'vm-100-disk-0', '--size', '200G'], 8, /not enough free space/, 1],
];

test.each(conflictCases)('conflict: %s → its exit code, no change, no undo', async (_label, args, code, why, refused) => {
  env.sim.requests.reset();
  const before = arrayState();
  const r = await env.run([...args, '--json']);
  expect(r.code).toBe(code);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(lines[0]).toMatch(why);
  expect(r.json?.error?.exit).toBe(code);
  const changes = env.sim.requests.all().filter((q) => ['POST', 'PUT', 'DELETE'].includes(q.method));
  // at most the one change the appliance refused; nothing it accepted, so nothing to undo
  expect(changes.filter((q) => q.status < 300)).toEqual([]);
  expect(changes.length).toBe(refused);
  expect(arrayState()).toEqual(before);
});

test('a wrong password → exit 7, one line, nothing changed, the password never shown', async () => {
  env.sim.requests.reset();
  const r = await env.run(['--password-file', files.wrongPw, 'volume', 'create', 'vm-107-disk-0', '--size', '1G', '--json']);
  expect(r.code).toBe(7);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: authentication failed/);
  expect(r.json?.error?.exit).toBe(7);
  expect(env.sim.requests.all().filter((q) => q.status < 300)).toEqual([]);
  expect(env.sim.requests.count({ mutatingOnly: true })).toBeLessThanOrEqual(1);
  expect(r.stdout + r.stderr).not.toContain('not-the-Password-1');
  expect(r.stdout + r.stderr).not.toContain(env.password);
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
