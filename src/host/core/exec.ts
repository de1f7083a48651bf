// The one place that runs host tools. An argv array (never a shell), a per-call bound that
// ends in SIGTERM and then SIGKILL after a grace (multipath must see TERM first so it can
// release its IPC semaphore), optional stdin, and a log line per call with secrets redacted.
// The Executor is an interface so tests can swap the process layer for a fake.
import { CHAP_SECRET_ENV, PASSWORD_ENV } from '../../config';
import { HostError } from '../../errors';
import { BOUNDS_SIZED_FOR_MS, tuning } from './defaults';
import type { ExecResult, Executor, HostEnv, ToolName } from './types';

export type { ExecOptions, ExecResult, Executor } from './types';

/** The tool did not finish within its bound (or the invocation deadline ran out first). */
export class HostTimeoutError extends HostError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { reason: 'timeout', ...details });
  }
}

/** Secrets jdssc may have been given in its environment: host tools never need them. */
const SECRET_ENV = new Set([PASSWORD_ENV, CHAP_SECRET_ENV]);

/** The environment a host tool inherits: ours, without our secrets. */
export function childEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !SECRET_ENV.has(k)) out[k] = v;
  return out;
}

/** Real processes through execa. Loaded lazily so `jdssc --version` never pays for it. */
export function execaExecutor(): Executor {
  return {
    async run(file, args, opts) {
      const { execa } = await import('execa');
      const started = Date.now();
      const r = await execa(file, [...args], {
        reject: false,
        timeout: Math.max(1, Math.floor(opts.timeoutMs)),
        killSignal: 'SIGTERM',
        forceKillAfterDelay: Math.max(1, Math.floor(opts.killGraceMs)),
        ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
        env: { ...childEnv(process.env), LC_ALL: 'C', ...opts.env },
        extendEnv: false,
        stripFinalNewline: false,
        maxBuffer: 16 * 1024 * 1024,
      });
      const spawnError = r.failed && r.exitCode === undefined && !r.timedOut && !r.signal ? (r.code ?? 'spawn failed') : undefined;
      return {
        code: typeof r.exitCode === 'number' ? r.exitCode : null,
        signal: r.signal ?? undefined,
        stdout: typeof r.stdout === 'string' ? r.stdout : '',
        stderr: typeof r.stderr === 'string' ? r.stderr : '',
        timedOut: r.timedOut,
        durationMs: Date.now() - started,
        spawnError,
      };
    },
  };
}

export interface RunOptions {
  /** Defaults to the tool's class bound (iscsiadm vs multipath); always capped by the deadline. */
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string>;
  /** Extra values to redact (and to refuse on the argv) for this call only. */
  secrets?: string[];
}

/** Lines that say nothing about the outcome: systemd and D-Bus noise when iscsid is socket-activated. */
const NOISE = [
  /System has not been booted with systemd/i,
  /Failed to connect to bus/i,
  /Failed to (?:start|connect to) .*(?:socket|service)/i,
  /can not connect to iSCSI daemon \(111\)/i,
  /^\s*$/,
];

export function meaningfulLines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => !NOISE.some((re) => re.test(l)));
}

export function formatArgv(args: readonly string[]): string {
  return args.map((a) => (a === '' || /[\s"'\\$`]/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

function secretsOf(env: HostEnv, extra: string[] = []): string[] {
  return [...(env.secrets ?? []), ...extra].filter((s) => s.length > 0);
}

export function redactor(env: HostEnv, extra: string[] = []): (text: string) => string {
  const secrets = secretsOf(env, extra).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('***');
    return env.log.redact(out);
  };
}

/**
 * A fixed tool bound, scaled up when the caller gave the invocation more than the default time
 * the bounds are sized for: a caller that allows 300 s has a loaded host in mind (measured: 16
 * activations at once on 2 busy CPUs made `multipath -ll` take over 20 s), while a hung tool
 * still cannot eat the whole deadline.
 */
export function toolBound(env: HostEnv, fixedMs: number): number {
  return fixedMs * Math.max(1, env.deadline.budgetMs / BOUNDS_SIZED_FOR_MS);
}

function defaultTimeout(env: HostEnv, tool: ToolName): number {
  const t = tuning(env);
  return toolBound(env, tool === 'iscsiadm' || tool === 'blockdev' || tool === 'udevadm' ? t.iscsiadmTimeoutMs : t.multipathTimeoutMs);
}

/**
 * Run one host tool. Returns the result for every exit code (callers interpret codes); throws
 * HostTimeoutError when the bound or the deadline ran out, HostError when it could not start.
 */
export async function runTool(env: HostEnv, tool: ToolName, args: readonly string[], opts: RunOptions = {}): Promise<ExecResult> {
  const secrets = secretsOf(env, opts.secrets);
  const redact = redactor(env, opts.secrets);
  const file = env.binaries[tool];
  const shown = `${tool} ${redact(formatArgv(args))}`;
  // Defence in depth: no code path is meant to do this, so refuse loudly rather than leak.
  if (args.some((a) => secrets.some((s) => s.length >= 6 && a.includes(s)))) {
    throw new HostError(`refusing to run ${tool}: a secret would appear on its command line`, { tool });
  }
  const budget = Math.min(opts.timeoutMs ?? defaultTimeout(env, tool), env.deadline.remaining());
  if (budget <= 0) {
    throw new HostTimeoutError(`the invocation deadline ran out before running ${shown}`, { tool });
  }
  env.log.debug(`exec ${shown} (bound ${budget} ms)`);
  const r = await env.exec.run(file, args, { timeoutMs: budget, killGraceMs: tuning(env).killGraceMs, input: opts.input, env: opts.env });
  if (r.spawnError) {
    env.log.error(`${tool}: cannot start ${file}: ${r.spawnError}`);
    throw new HostError(`cannot run ${tool} (${file}): ${r.spawnError}`, { tool, reason: 'spawn' });
  }
  if (r.timedOut) {
    env.log.warn(`${shown} timed out after ${r.durationMs} ms (bound ${budget} ms); terminated`);
    throw new HostTimeoutError(`${shown} did not finish within ${Math.round(budget / 100) / 10} s`, { tool });
  }
  const tail =
    r.code === 0 ? '' : `: ${redact(meaningfulLines(r.stderr).slice(-2).join(' | ') || meaningfulLines(r.stdout).slice(-1).join(''))}`;
  env.log.debug(`${tool} exit ${r.code ?? r.signal} in ${r.durationMs} ms${tail}`);
  return r;
}

/** One line describing a failed call, for error messages (redacted, noise removed). */
export function describeFailure(env: HostEnv, tool: ToolName, args: readonly string[], r: ExecResult): string {
  const redact = redactor(env);
  const why = meaningfulLines(r.stderr).concat(meaningfulLines(r.stdout)).slice(0, 3).join(' | ');
  return redact(`${tool} ${formatArgv(args)} exited ${r.code ?? r.signal}${why ? `: ${why}` : ''}`);
}
