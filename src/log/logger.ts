// File logger. Lines look like upstream's (`YYYY-MM-DD HH:MM:SS.mmm - jdssc - LEVEL - [id] msg`)
// so one log can hold both the plugin and jdssc. Files are created 0600 and every line passes
// through redaction: registered secrets (and their Basic-auth form) never reach the disk.
import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import type { LogLevel } from '../config';

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  /** Register a secret: from now on it is replaced by *** wherever it appears. */
  addSecret(secret: string | undefined): void;
  redact(text: string): string;
  /** Watch every message (redacted, whatever the level threshold): the progress line shows what
   * a long wait is about without host or REST code printing anything. Returns the unsubscribe. */
  observe?(fn: LogObserver): () => void;
}

export type LogObserver = (level: LogLevel, message: string) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40, critical: 50 };

export type LogFs = Pick<typeof nodeFs, 'openSync' | 'writeSync' | 'fchmodSync' | 'fstatSync' | 'mkdirSync' | 'closeSync'>;

export interface FileLoggerOptions {
  file?: string;
  level: LogLevel;
  requestId?: string;
  now?: () => Date;
  fs?: LogFs;
  /** Called once if the log file cannot be opened (the command still runs). */
  onOpenError?: (message: string) => void;
  /** Shared with the error printer so stderr is redacted the same way. */
  redactor?: Redactor;
}

/** Shorter secrets are not searched for: replacing them would mangle ordinary text (and hint at them). */
const MIN_REDACTED_LENGTH = 6;

export class Redactor {
  private secrets: string[] = [];

  add(secret: string | undefined): void {
    if (!secret || secret.length < MIN_REDACTED_LENGTH || this.secrets.includes(secret)) return;
    this.secrets.push(secret);
    // Longest first, so a secret containing another is replaced whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('***');
    return out
      .replace(/(authorization["']?\s*[:=]\s*["']?basic\s+)[A-Za-z0-9+/=]+/gi, '$1***')
      .replace(/("?(?:password|secret)"?\s*[:=]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1***');
  }
}

export function createLogger(opts: FileLoggerOptions): Logger {
  const fs = opts.fs ?? nodeFs;
  const now = opts.now ?? (() => new Date());
  const redactor = opts.redactor ?? new Redactor();
  const threshold = RANK[opts.level];
  const tag = opts.requestId ? `[${opts.requestId}] ` : '';
  let fd: number | undefined;
  let failed = !opts.file;

  const open = (): number | undefined => {
    if (fd !== undefined || failed) return fd;
    const file = opts.file as string;
    try {
      // One level only (e.g. /var/log/joviandss); a recursive mkdir can spin forever on /proc.
      try {
        fs.mkdirSync(dirname(file), { mode: 0o750 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      fd = fs.openSync(file, 'a', 0o600);
      // An existing file (e.g. written by an older tool with 0644) is tightened too.
      if ((fs.fstatSync(fd).mode & 0o077) !== 0) fs.fchmodSync(fd, 0o600);
    } catch (e) {
      failed = true;
      opts.onOpenError?.(`cannot write log file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return fd;
  };

  const observers: LogObserver[] = [];
  const write = (level: LogLevel, label: string, msg: string): void => {
    if (observers.length > 0) {
      const shown = redactor.redact(msg);
      for (const o of observers) o(level, shown);
    }
    if (RANK[level] < threshold) return;
    const target = open();
    if (target === undefined) return;
    const line = `${stamp(now())} - jdssc - ${label} - ${tag}${redactor.redact(msg)}\n`;
    try {
      fs.writeSync(target, line);
    } catch {
      // Logging must never fail the operation it describes.
    }
  };

  return {
    debug: (m) => write('debug', 'DEBUG', m),
    info: (m) => write('info', 'INFO', m),
    warn: (m) => write('warning', 'WARNING', m),
    error: (m) => write('error', 'ERROR', m),
    addSecret: (s) => redactor.add(s),
    redact: (t) => redactor.redact(t),
    observe: (fn) => {
      observers.push(fn);
      return () => {
        const i = observers.indexOf(fn);
        if (i >= 0) observers.splice(i, 1);
      };
    },
  };
}

export const nullLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  addSecret: () => {},
  redact: (t) => t,
};

function stamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}
