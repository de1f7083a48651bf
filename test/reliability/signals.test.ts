// SIGTERM/SIGINT during a command: the real launcher (bin/jdssc, built bundle) is stopped by
// PID while a change is in flight (a slow LUN attach). It must print its one-line error and,
// with --json, its error document, exit 11, and leave no half-made object on the array: no
// target without its LUN.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());

interface Stopped {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs bin/jdssc, sends `signal` by PID once `ready()` holds, and collects what it printed. */
function stopWhen(args: string[], ready: () => boolean, signal: NodeJS.Signals): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn('bin/jdssc', ['-c', env.config, ...args], {
      env: { ...process.env, JDSSC_STATE_DIR: `${env.dir}/state`, JDSSC_NO_PROGRESS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      if (ready()) {
        clearInterval(poll);
        process.kill(child.pid!, signal);
      }
    }, 10);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
}

const targets = () => [...env.sim.state.pool('Pool-0')!.targets.values()];

test.each(['SIGTERM', 'SIGINT'] as const)(
  '%s while a publish attaches its LUN: one line, the error document, exit 11, no target without its LUN',
  async (signal) => {
    const vol = signal === 'SIGTERM' ? 'vm-400-disk-0' : 'vm-401-disk-0';
    expect((await env.run(['volume', 'create', vol, '--size', '1M'])).code).toBe(0);
    const before = targets().length;
    const fault = await env.sim.faults.add({ kind: 'latency', ms: 1500, count: 0, match: { method: 'POST', path: '/luns$' } });
    try {
      // the target is made; its LUN attach is on its way (slow): the signal arrives in between
      const r = await stopWhen(['target', 'publish', vol, '--json'], () => targets().length > before, signal);
      expect(r.signal).toBeNull();
      expect(r.code).toBe(11);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^error: interrupted by ${signal}`));
      const doc = JSON.parse(r.stdout) as { error: { code: string; exit: number } };
      expect(doc.error).toMatchObject({ code: 'interrupted', exit: 11 });
    } finally {
      env.sim.faults.remove(fault[0].id);
    }
    for (const t of targets()) expect({ target: t.name, luns: t.luns.size }).toEqual({ target: t.name, luns: expect.any(Number) });
    expect(targets().filter((t) => t.luns.size === 0)).toEqual([]);
  },
  30_000,
);
