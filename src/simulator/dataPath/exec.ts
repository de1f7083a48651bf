// Effects of the data path, injectable: running a tool (tgtadm, cp) and serialising work.
import { execFile } from 'node:child_process';

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Runs a program (no shell); never throws for a non-zero exit, only when it cannot start. */
export type Exec = (file: string, args: string[], opts?: ExecOptions) => Promise<ExecResult>;

export const execTool: Exec = (file, args, opts = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        env: opts.env ? { ...process.env, ...opts.env } : process.env,
        timeout: opts.timeoutMs ?? 30_000,
        maxBuffer: 16 * 2 ** 20,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: unknown; signal?: string | null }) | null;
        if (e && typeof e.code === 'string') return reject(new Error(`cannot run ${file}: ${e.message}`));
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr });
      },
    );
  });

/** One line saying what failed, for errors raised by the data path. */
export function describeExec(file: string, args: string[], r: ExecResult): string {
  const why = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(0, 3).join(' | ');
  return `${file} ${args.join(' ')} exited ${r.code ?? r.signal}${why ? `: ${why}` : ''}`;
}

/** Runs async jobs one at a time, in call order; a failed job does not stop the next one. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job); // tail never rejects
    this.tail = next.catch(() => undefined);
    return next;
  }
}
