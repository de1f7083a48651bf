// Progress where a person waits: when a command is still running after a moment (a device to
// appear, a busy map, REST retries during a failover, a long cleanup), a spinner on stderr says
// what it is doing and how much of the deadline is left. Only on a terminal: never on a pipe,
// never with --json (the Proxmox plugin always passes it), never with TERM=dumb or
// JDSSC_NO_PROGRESS. Host and REST code print nothing: the latest message they log (through the
// injected logger's observer) becomes the spinner's detail. yocto-spinner loads only when shown.
import type { Writable } from 'node:stream';
import type { CommandDef } from './command';
import type { Factory, IO } from './factory';

export interface Spinner {
  start(): void;
  update(text: string): void;
  /** Clears the spinner line (the command's own output follows). */
  stop(): void;
}

export type SpinnerFactory = (stream: Writable & { columns?: number }, text: string) => Promise<Spinner>;

export interface ProgressOptions {
  /** Commands that finish sooner show nothing. */
  delayMs?: number;
  /** How often the time left is refreshed. */
  tickMs?: number;
  spinner?: SpinnerFactory;
}

const DEFAULT_DELAY_MS = 1000;
const DEFAULT_TICK_MS = 1000;

export function progressWanted(io: IO, json: boolean): boolean {
  // A terminal stream can move its cursor; a stream merely claiming isTTY gets no spinner.
  const tty = io.stderr.isTTY === true && typeof (io.stderr as { cursorTo?: unknown }).cursorTo === 'function';
  return tty && !json && io.env.TERM !== 'dumb' && !io.env.JDSSC_NO_PROGRESS;
}

const yoctoSpinner: SpinnerFactory = async (stream, text) => {
  const { default: create } = await import('yocto-spinner');
  // jdssc handles its own signals; the spinner must not install exit handlers.
  const s = create({ text, stream, handleSignals: false });
  return {
    start: () => void s.start(),
    update: (t) => {
      s.text = t;
    },
    stop: () => void s.stop(),
  };
};

/** Runs `work`, showing progress on a terminal while it takes longer than a moment. */
export async function withProgress<T>(
  work: Promise<T>,
  f: Factory,
  def: CommandDef,
  argv: Record<string, unknown>,
  o: ProgressOptions = {},
): Promise<T> {
  if (!progressWanted(f.io, argv.json === true)) return work;
  const stream = f.io.stderr as Writable & { columns?: number };
  const what = `${Array.isArray(argv._) && argv._.length > 0 ? argv._.join(' ') : def.command.split(' ')[0]}${firstPositional(def, argv)}`;
  let detail = '';
  const left = (): string => {
    try {
      return ` (${Math.ceil(f.deadline().remaining() / 1000)} s left)`;
    } catch {
      return '';
    }
  };
  const text = () => fit(`${what}${detail ? `: ${detail}` : ''}`, (stream.columns || 80) - 16) + left();
  let unobserve = () => {};
  try {
    unobserve =
      f.logger().observe?.((level, message) => {
        if (level !== 'debug') detail = message.split('\n')[0];
      }) ?? unobserve;
  } catch {
    // no configuration, no logger: the spinner says what the command is
  }
  let spinner: Spinner | undefined;
  let tick: ReturnType<typeof setInterval> | undefined;
  let done = false;
  const show = async () => {
    try {
      const s = await (o.spinner ?? yoctoSpinner)(stream, text());
      if (done) return;
      spinner = s;
      s.start();
      tick = setInterval(() => s.update(text()), o.tickMs ?? DEFAULT_TICK_MS);
    } catch {
      // progress is a courtesy: never a reason to fail
    }
  };
  const delay = setTimeout(() => void show(), o.delayMs ?? DEFAULT_DELAY_MS);
  try {
    return await work;
  } finally {
    done = true;
    clearTimeout(delay);
    if (tick) clearInterval(tick);
    spinner?.stop();
    unobserve();
  }
}

function firstPositional(def: CommandDef, argv: Record<string, unknown>): string {
  const name = /[<[]([^\]>]+)[\]>]/.exec(def.command)?.[1];
  const v = name ? argv[name] : undefined;
  return typeof v === 'string' ? ` ${v}` : '';
}

function fit(s: string, width: number): string {
  const w = Math.max(20, width);
  return s.length <= w ? s : `${s.slice(0, w - 1)}…`;
}
