// Progress on a terminal: a spinner with what is awaited and the time left, only on a TTY, never
// with --json or a pipe; the detail comes from what host/REST code logs (redacted), so they never
// print. The real spinner library is driven through main() with a fake TTY stderr.
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { main } from '../../src/cli/main';
import type { CommandDef } from '../../src/cmdutil/command';
import type { Factory } from '../../src/cmdutil/factory';
import { withProgress, type SpinnerFactory } from '../../src/cmdutil/progress';
import { createLogger } from '../../src/log/logger';
import { cliEnv, type CliEnv } from '../helpers/cli';

class Tty extends Writable {
  text = '';
  isTTY: boolean;
  columns = 100;
  constructor(tty: boolean) {
    super();
    this.isTTY = tty;
  }
  override _write(chunk: Buffer | string, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  // what tty.WriteStream adds (a spinner redraws its line with these)
  cursorTo(x: number, cb?: () => void): boolean {
    return this.write(`\x1b[${x + 1}G`, cb);
  }
  moveCursor(_dx: number, dy: number, cb?: () => void): boolean {
    return this.write(dy < 0 ? `\x1b[${-dy}A` : dy > 0 ? `\x1b[${dy}B` : '', cb);
  }
  clearLine(_dir: number, cb?: () => void): boolean {
    return this.write('\x1b[2K', cb);
  }
}

const def = { command: 'activate <volume>', describe: '', examples: [], run: async () => undefined } as unknown as CommandDef;

/** A factory with just what withProgress uses. */
function fakeFactory(tty: boolean, env: Record<string, string> = {}) {
  const log = createLogger({ level: 'info' });
  log.addSecret('Progress-Secret-42');
  const stderr = new Tty(tty);
  const f = {
    io: { stdout: new Tty(tty), stderr, stdin: Readable.from(['']), env },
    deadline: () => ({ remaining: () => 42_000 }),
    logger: () => log,
  } as unknown as Factory;
  return { f, log, stderr };
}

function recordingSpinner() {
  const seen: string[] = [];
  let stopped = false;
  const factory: SpinnerFactory = async (_stream, text) => ({
    start: () => void seen.push(`start ${text}`),
    update: (t) => void seen.push(t),
    stop: () => void (stopped = true),
  });
  return { factory, seen, stopped: () => stopped };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

test('on a TTY: what is awaited, the latest logged step (redacted) and the time left; cleared at the end', async () => {
  const { f, log } = fakeFactory(true);
  const s = recordingSpinner();
  let finish!: () => void;
  const work = new Promise<string>((r) => (finish = () => r('done')));
  const shown = withProgress(
    work,
    f,
    def,
    { _: ['login', 'activate'], volume: 'vm-100-disk-0' },
    { delayMs: 0, tickMs: 5, spinner: s.factory },
  );
  await until(() => s.seen.length > 0);
  expect(s.seen[0]).toBe('start login activate vm-100-disk-0 (42 s left)');
  log.warn('127.0.0.9: ECONNREFUSED, will retry (Progress-Secret-42)');
  await until(() => s.seen.some((t) => t.includes('will retry')));
  const line = s.seen.find((t) => t.includes('will retry'))!;
  expect(line).toBe('login activate vm-100-disk-0: 127.0.0.9: ECONNREFUSED, will retry (***) (42 s left)');
  finish();
  expect(await shown).toBe('done');
  expect(s.stopped()).toBe(true);
});

test.each([
  ['a pipe', false, {}, {}],
  ['--json', true, {}, { json: true }],
  ['TERM=dumb', true, { TERM: 'dumb' }, {}],
  ['JDSSC_NO_PROGRESS', true, { JDSSC_NO_PROGRESS: '1' }, {}],
])('never with %s', async (_name, tty, env, args) => {
  const { f } = fakeFactory(tty, env);
  const s = recordingSpinner();
  let finish!: () => void;
  const work = new Promise<void>((r) => (finish = r));
  const shown = withProgress(work, f, def, { _: ['login', 'activate'], ...args }, { delayMs: 0, tickMs: 5, spinner: s.factory });
  await new Promise((r) => setTimeout(r, 30));
  finish();
  await shown;
  expect(s.seen).toEqual([]);
});

let env: CliEnv;
beforeAll(async () => {
  env = await cliEnv();
});
afterAll(async () => env.close());

test('through main(): a slow REST answer shows the real spinner on a TTY stderr, and nothing on a pipe', async () => {
  const run = async (tty: boolean, extra: string[] = []) => {
    await env.sim.faults.add({ kind: 'latency', ms: 1500, count: 1 });
    const stdout = new Tty(tty);
    const stderr = new Tty(tty);
    const io = { stdout, stderr, stdin: Readable.from(['']), env: { JDSSC_STATE_DIR: `${env.dir}/state` } };
    const code = await main(['-c', env.config, 'pool', 'stats', ...extra], io);
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
  // yocto-spinner stays silent under CI; this test stands in for a person at a terminal.
  const ci = process.env.CI;
  delete process.env.CI;
  try {
    const t = await run(true);
    expect(t.code).toBe(0);
    expect(t.stderr).toMatch(/pool stats \(\d+ s left\)/);
    expect(t.stdout).toMatch(/Pool-0/);
    expect(t.stdout).not.toMatch(/s left/);
  } finally {
    if (ci !== undefined) process.env.CI = ci;
  }
  const p = await run(false);
  expect(p.code).toBe(0);
  expect(p.stderr).toBe('');
  const j = await run(true, ['--json']);
  expect(j.stderr).toBe('');
  expect(JSON.parse(j.stdout).name).toBe('Pool-0');
});
