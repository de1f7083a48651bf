// Progress on a real terminal: the installed launcher (bin/jdssc and its bundle) runs under a pseudo-terminal (util-linux
// `script`), as an admin's shell would start it, while the simulator holds an answer back. The
// spinner must appear there, and never with --json or when stderr is a pipe.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

const ROOT = process.cwd(); // jest runs from the repository root
const JDSSC = join(ROOT, 'bin', 'jdssc');
const SCRIPT = '/usr/bin/script';

let env: CliEnv;
beforeAll(async () => {
  // bsdutils (Essential in Debian) ships script; the bundle comes from `make build`.
  for (const f of [SCRIPT, join(ROOT, 'dist', 'jdssc.cjs')]) if (!existsSync(f)) throw new Error(`${f} is missing`);
  env = await cliEnv();
});
afterAll(async () => env?.close());

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs jdssc with a pty as its terminal (stdin, stdout and stderr) and returns what the terminal
 * showed. Asynchronous: the simulator answering it lives in this process.
 */
function onTerminal(args: string[], shellSuffix = ''): Promise<{ code: number | null; screen: string }> {
  const line = [process.execPath, JDSSC, '-c', env.config, ...args].map(quote).join(' ') + shellSuffix;
  const childEnv: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm-256color', SHELL: '/bin/sh' };
  childEnv.JDSSC_STATE_DIR = join(env.dir, 'state');
  childEnv.JDSSC_JOURNAL_SOCKET = '';
  // -e: the command's exit code; -q: no banner; -f: flush as it comes; the typescript goes nowhere.
  const child = spawn(SCRIPT, ['-qefc', line, '/dev/null'], { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  let screen = '';
  child.stdout.on('data', (d: Buffer) => (screen += d.toString()));
  const timer = setTimeout(() => child.kill(), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    }),
  );
}

test('under a pty a slow answer shows the spinner with the time left, then the output', async () => {
  await env.sim.faults.add({ kind: 'latency', ms: 2500, count: 1 });
  const t = await onTerminal(['pool', 'stats']);
  expect(t.code).toBe(0);
  expect(t.screen).toMatch(/pool stats \(\d+ s left\)/);
  expect(t.screen).toMatch(/Pool-0/);
  // the spinner clears its line before the output (erase-line escape)
  expect(t.screen).toMatch(/\x1b\[2K|\x1b\[K|\x1b\[0K/);
});

test('under a pty --json gets no spinner: the terminal shows the JSON document alone', async () => {
  await env.sim.faults.add({ kind: 'latency', ms: 2500, count: 1 });
  const t = await onTerminal(['pool', 'stats', '--json']);
  expect(t.code).toBe(0);
  expect(t.screen).not.toMatch(/s left/);
  expect(JSON.parse(t.screen.replace(/\r/g, '')).name).toBe('Pool-0');
});

test('stderr redirected to a file gets no spinner even when stdout is a terminal', async () => {
  await env.sim.faults.add({ kind: 'latency', ms: 2500, count: 1 });
  const errFile = join(env.dir, 'stderr.txt');
  const t = await onTerminal(['pool', 'stats'], ` 2>${quote(errFile)}`);
  expect(t.code).toBe(0);
  expect(t.screen).toMatch(/Pool-0/);
  expect(t.screen).not.toMatch(/s left/);
  expect(readFileSync(errFile, 'utf8')).toBe('');
});
