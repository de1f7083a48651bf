// Everything jdssc prints goes through here. `--json`: exactly one JSON document on stdout
// (result or {"error":…}). Humans: aligned tables and key/value lists, colour only on a TTY.
import { Chalk, type ChalkInstance } from 'chalk';
import { isJdsscError, type JdsscError } from '../errors';
import type { Redactor } from '../log/logger';
import type { IO } from './factory';

export type Cell = string | number | boolean | null | undefined;

export class Printer {
  readonly color: ChalkInstance;

  constructor(
    private readonly io: IO,
    readonly json: boolean,
    private readonly redactor?: Redactor,
  ) {
    const tty = io.stdout.isTTY === true && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
    this.color = new Chalk({ level: tty ? 1 : 0 });
  }

  /** The command's result: JSON document, or the command's human renderer. */
  result<R>(value: R, human?: (r: R, p: Printer) => void): void {
    if (this.json) {
      this.io.stdout.write(this.toJson(value));
    } else if (human) {
      human(value, this);
    } else if (value !== undefined) {
      this.io.stdout.write(this.toJson(value));
    }
  }

  line(text = ''): void {
    this.io.stdout.write(`${text}\n`);
  }

  /** Key/value lines, keys padded so values line up. */
  fields(pairs: Array<[string, Cell]>): void {
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.line(`${this.color.bold(k.padEnd(width))}  ${fmt(v)}`);
  }

  table(headers: string[], rows: Cell[][]): void {
    const cells = rows.map((r) => r.map(fmt));
    const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
    const render = (r: string[]) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i])))
        .join('  ')
        .trimEnd();
    this.line(this.color.bold(render(headers)));
    for (const r of cells) this.line(render(r));
  }

  warn(message: string): void {
    this.io.stderr.write(`warning: ${this.redact(message)}\n`);
  }

  /** One clear line on stderr; with --json also the error document on stdout. */
  error(err: JdsscError | Error): void {
    if (isJdsscError(err) && err.reported) return;
    const message = this.redact(oneLine(err.message));
    this.io.stderr.write(`error: ${message}\n`);
    if (this.json) {
      const e = isJdsscError(err) ? err : undefined;
      const doc = {
        error: {
          code: e?.code ?? 'internal',
          exit: e?.exitCode ?? 1,
          message,
          ...(e?.details ? { details: this.redactValues(e.details) } : {}),
        },
      };
      this.io.stdout.write(this.toJson(doc));
    }
  }

  /** Results never hold secrets by construction, so they are printed as they are: rewriting them
   * could corrupt the document (a short password inside a number) and hint at the secret. */
  private toJson(value: unknown): string {
    const pretty = this.io.stdout.isTTY === true;
    return `${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`;
  }

  /** Redacts inside string values only, so the document stays valid JSON. */
  private redactValues(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.redactValues(v));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValues(v)]));
    return value;
  }

  private redact(text: string): string {
    return this.redactor ? this.redactor.redact(text) : text;
  }
}

function fmt(v: Cell): string {
  if (v === null || v === undefined) return '-';
  return String(v);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}

/** 1536 → "1.5 KiB"; exact bytes stay available in JSON output. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}
