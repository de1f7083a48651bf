// An Executor answering from a function, for wrapper tests: records every call.
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Deadline } from '../../../src/util/deadline';
import { DEFAULT_BINARIES } from '../../../src/host/core/defaults';
import type { ExecOptions, ExecResult, Executor } from '../../../src/host/core/exec';
import type { HostEnv, ToolName } from '../../../src/host/core/types';
import { FakeClock } from '../../helpers/fakeClock';
import { memoryLogger, type MemoryLogger } from './memlog';

export interface ScriptedCall {
  tool: ToolName;
  args: string[];
  opts: ExecOptions;
}

export type Answer = Partial<Omit<ExecResult, 'durationMs'>> & { durationMs?: number };

export function scriptedEnv(
  answer: (tool: ToolName, args: string[]) => Answer | Promise<Answer>,
  over: Partial<HostEnv> = {},
): HostEnv & { calls: ScriptedCall[]; clock: FakeClock; log: MemoryLogger } {
  const calls: ScriptedCall[] = [];
  const clock = new FakeClock();
  const exec: Executor = {
    async run(file, args, opts) {
      const tool = basename(file) as ToolName;
      calls.push({ tool, args: [...args], opts });
      const a = await answer(tool, [...args]);
      return { code: 0, stdout: '', stderr: '', timedOut: false, durationMs: 1, ...a };
    },
  };
  return {
    exec,
    binaries: DEFAULT_BINARIES,
    // Never the real /sys, /dev or /etc/iscsi: wrapper tests must not touch this machine.
    roots: {
      sys: '/nonexistent-jdssc-test/sys',
      dev: '/nonexistent-jdssc-test/dev',
      iscsiDb: ['/nonexistent-jdssc-test/nodes'],
      records: '/nonexistent-jdssc-test/records',
      locks: '/nonexistent-jdssc-test/locks',
    },
    clock,
    deadline: new Deadline(clock, 60_000),
    log: memoryLogger(),
    calls,
    ...over,
  } as HostEnv & { calls: ScriptedCall[]; clock: FakeClock; log: MemoryLogger };
}

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}
