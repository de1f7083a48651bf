// README "When something goes wrong": every jdssc command it shows parses with jdssc's own parser
// to the command it means, and the metrics and support-bundle lines also run against the simulator.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { parseCommand } from '../../src/cli/main';
import { cliEnv, type CliEnv } from '../helpers/cli';

const readme = readFileSync('README.md', 'utf8');
const start = readme.indexOf('\n## When something goes wrong\n');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));

/** The jdssc lines of the section's sh blocks, as argv (comments dropped; no quoting is used there). */
const commands = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .flatMap((m) => m[1].split('\n'))
  .map((l) => l.replace(/\s+#.*$/, '').trim())
  .filter((l) => l.startsWith('jdssc '))
  .map((l) => l.split(/\s+/).slice(1));

const io = () => {
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return { stdout: sink, stderr: sink, stdin: Readable.from(['']), env: {} };
};

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());

test('the section exists and shows the journal, metrics and bundle commands', () => {
  expect(start).toBeGreaterThan(0);
  expect(section).toMatch(/journalctl -t jdssc/);
  const ops = commands.map((c) => c.filter((w) => !w.startsWith('-') && !w.includes('/')).join(' '));
  expect(ops.some((o) => o.startsWith('metrics'))).toBe(true);
  expect(ops.some((o) => o.startsWith('support-bundle'))).toBe(true);
});

test.each(commands.map((c) => [c.join(' '), c]))('parses: jdssc %s', async (_line, argv) => {
  const chosen = await parseCommand(argv as string[], io());
  expect(chosen).toBeDefined();
});

test('the metrics and support-bundle lines run (config and paths pointed at this test)', async () => {
  for (const argv of commands.filter((c) => c.includes('metrics') || c.includes('support-bundle'))) {
    const args = argv.map((w) =>
      w === '/etc/pve/jdss-Pool-0.yaml' ? env.config : w.startsWith('/') ? join(env.dir, w.replace(/\//g, '_')) : w,
    );
    // the bundle's default file lands in the current directory: keep it in this test's folder
    if (args.includes('support-bundle') && !args.includes('--output')) args.push('--output', join(env.dir, 'default.tar.gz'));
    const r = await env.run(args, { noConfig: true });
    expect({ argv, code: r.code, stderr: r.stderr }).toEqual({ argv, code: 0, stderr: '' });
  }
});
