// The executor against real processes (node -e scripts standing in for host tools).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { HostError } from '../../src/errors';
import { DEFAULT_BINARIES } from '../../src/host/core/defaults';
import { HostTimeoutError, execaExecutor, runTool } from '../../src/host/core/exec';
import type { HostEnv } from '../../src/host/core/types';
import { systemClock } from '../../src/util/clock';
import { Deadline } from '../../src/util/deadline';
import { tempDir } from '../helpers/tmp';
import { memoryLogger } from './fakes/memlog';

const tmp = tempDir('jdssc-exec-');
afterAll(() => tmp.cleanup());

function env(over: Partial<HostEnv> = {}): HostEnv & { log: ReturnType<typeof memoryLogger> } {
  return {
    exec: execaExecutor(),
    binaries: { ...DEFAULT_BINARIES, iscsiadm: process.execPath, multipath: process.execPath },
    roots: { sys: '/nonexistent', dev: '/nonexistent', iscsiDb: [], records: '/nonexistent', locks: '/nonexistent' },
    clock: systemClock,
    deadline: new Deadline(systemClock, 30_000),
    log: memoryLogger(),
    ...over,
  } as HostEnv & { log: ReturnType<typeof memoryLogger> };
}

describe('execaExecutor + runTool', () => {
  test('argv is passed verbatim, never through a shell', async () => {
    const r = await runTool(env(), 'iscsiadm', [
      '-e',
      'console.log(JSON.stringify(process.argv.slice(1)))',
      '$(touch /tmp/pwned)',
      'a b;c',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(['$(touch /tmp/pwned)', 'a b;c']);
  });

  test('exit code, stderr, stdin input and environment reach the caller', async () => {
    const script =
      'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{process.stderr.write("got "+s+" "+process.env.LC_ALL+" "+process.env.EXTRA);process.exit(21)})';
    const r = await runTool(env(), 'iscsiadm', ['-e', script], { input: 'hello', env: { EXTRA: 'x1' } });
    expect(r).toMatchObject({ code: 21, stderr: 'got hello C x1', timedOut: false });
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  test("jdssc's secret variables never reach a host tool; the rest of the environment does", async () => {
    const saved = { p: process.env.JDSSC_PASSWORD, c: process.env.JDSSC_CHAP_PASSWORD, k: process.env.JDSSC_KEEP_ME };
    Object.assign(process.env, { JDSSC_PASSWORD: 'Rest-Pw-1', JDSSC_CHAP_PASSWORD: 'Chap-Pw-12345', JDSSC_KEEP_ME: 'kept' });
    try {
      const script =
        'process.stdout.write(JSON.stringify([process.env.JDSSC_PASSWORD, process.env.JDSSC_CHAP_PASSWORD, process.env.JDSSC_KEEP_ME]))';
      const r = await runTool(env(), 'iscsiadm', ['-e', script]);
      expect(JSON.parse(r.stdout)).toEqual([null, null, 'kept']);
    } finally {
      for (const [k, v] of [
        ['JDSSC_PASSWORD', saved.p],
        ['JDSSC_CHAP_PASSWORD', saved.c],
        ['JDSSC_KEEP_ME', saved.k],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  test('a hung tool gets SIGTERM at its bound and is reported as a timeout', async () => {
    const e = env({ tuning: { killGraceMs: 5_000 } });
    const started = Date.now();
    const err = await runTool(e, 'multipath', ['-e', 'setInterval(()=>{},1000)'], { timeoutMs: 300 }).catch((x) => x);
    expect(err).toBeInstanceOf(HostTimeoutError);
    expect(err.details).toMatchObject({ reason: 'timeout', tool: 'multipath' });
    expect(err.message).toMatch(/multipath .* did not finish within 0\.3 s/);
    expect(Date.now() - started).toBeLessThan(3_000); // TERM was enough: no wait for the KILL grace
    expect(e.log.text()).toMatch(/timed out after \d+ ms/);
  });

  test('SIGTERM comes first; SIGKILL follows after the grace when TERM is ignored', async () => {
    const marker = join(tmp.dir, 'got-term');
    const script = `process.on("SIGTERM",()=>require("fs").writeFileSync(${JSON.stringify(marker)},"1"));setInterval(()=>{},1000)`;
    const started = Date.now();
    // 2 s: the child node must have installed its TERM handler before the timeout, even on a
    // loaded machine (with 0.3 s a slow start took the default TERM action: no marker).
    const err = await runTool(env({ tuning: { killGraceMs: 400 } }), 'multipath', ['-e', script], { timeoutMs: 2_000 }).catch((x) => x);
    const took = Date.now() - started;
    expect(err).toBeInstanceOf(HostTimeoutError);
    expect(existsSync(marker)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(2_350);
    expect(took).toBeLessThan(8_000);
  });

  test('a missing binary is a host error, not a crash', async () => {
    const e = env({ binaries: { ...DEFAULT_BINARIES, iscsiadm: '/nonexistent/iscsiadm' } });
    await expect(runTool(e, 'iscsiadm', ['-m', 'session'])).rejects.toMatchObject({
      message: expect.stringMatching(/cannot run iscsiadm \(\/nonexistent\/iscsiadm\): ENOENT/),
    });
  });

  test('every call is logged with command, exit and duration; secrets are redacted', async () => {
    const e = env({ secrets: ['TopSecret-123'] });
    await runTool(e, 'iscsiadm', ['-e', 'process.stderr.write("auth "+process.env.S+" failed");process.exit(24)'], {
      env: { S: 'TopSecret-123' },
    });
    const text = e.log.text();
    expect(text).toMatch(/exec iscsiadm -e .* \(bound \d+ ms\)/);
    expect(text).toMatch(/iscsiadm exit 24 in \d+ ms: auth \*\*\* failed/);
    expect(text).not.toContain('TopSecret-123');
  });

  test('a secret on the argv is refused before anything runs', async () => {
    const e = env();
    const spy = { calls: 0 };
    e.exec = {
      run: async () => {
        spy.calls++;
        return { code: 0, stdout: '', stderr: '', timedOut: false, durationMs: 0 };
      },
    };
    await expect(runTool(e, 'iscsiadm', ['-v', 'my-chap-secret-1'], { secrets: ['my-chap-secret-1'] })).rejects.toBeInstanceOf(HostError);
    expect(spy.calls).toBe(0);
  });

  test('a spent invocation deadline stops the call before it starts', async () => {
    const e = env({ deadline: new Deadline(systemClock, 0) });
    await expect(runTool(e, 'iscsiadm', ['-m', 'session'])).rejects.toThrow(/deadline ran out before running iscsiadm -m session/);
  });

  test('the per-call bound is capped by what is left of the deadline', async () => {
    const e = env({ deadline: new Deadline(systemClock, 250) });
    const err = await runTool(e, 'iscsiadm', ['-e', 'setInterval(()=>{},1000)'], { timeoutMs: 60_000 }).catch((x) => x);
    expect(err).toBeInstanceOf(HostTimeoutError);
  });
});
