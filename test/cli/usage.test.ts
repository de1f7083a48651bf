// Usability of the CLI itself: with --json even --version and --help print one JSON document
// (completion stays a script), and cleanup off a Proxmox node without --vmids fails (exit 2,
// one line saying how to give the VM ids) instead of exiting 0 with a note cron never reads.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { VERSION } from '../../src/version';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());

test('--json --version prints {"version": …}', async () => {
  const r = await env.run(['--json', '--version'], { noConfig: true });
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout)).toEqual({ version: VERSION });
});

test.each([[['--json', '--help']], [['volume', 'create', '--help', '--json']]])('%j prints {"help": text}', async (args) => {
  const r = await env.run(args, { noConfig: true });
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as { help: string };
  expect(doc.help).toMatch(/^jdssc /);
  expect(r.stderr).toBe('');
});

test('completion stays a script with --json, and its help says so', async () => {
  const r = await env.run(['completion', '--json'], { noConfig: true });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/jdssc-completions/);
  const help = await env.run(['--help'], { noConfig: true });
  expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/always text, even with --json/);
});

test('cleanup without --vmids off a Proxmox node → exit 2, one line naming --vmids, nothing sent', async () => {
  env.sim.requests.reset();
  const r = await env.run(['cleanup', '--pve-dir', join(env.dir, 'no-pve'), '--json']);
  expect(r.code).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: no VM inventory under .*: give the VM ids that exist with --vmids/);
  expect(r.json?.error?.code).toBe('usage');
  expect(env.sim.requests.count({})).toBe(0);
});

test('cleanup --only host needs no VM inventory', async () => {
  const r = await env.run(['cleanup', '--pve-dir', join(env.dir, 'no-pve'), '--only', 'host', '--json']);
  expect(r.code).not.toBe(2);
});
