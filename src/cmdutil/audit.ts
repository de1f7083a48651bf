// Audit trail: every command that changes something on the array or this host leaves one line in
// the system journal (SYSLOG_IDENTIFIER jdssc) saying who changed what, where, how it ended, and
// the request id that tags the same invocation's log lines; reads stay quiet unless debug is on.
//
// Node has no AF_UNIX datagram sockets, so journald's native socket and /dev/log are out of reach
// without a native addon or a child process (`logger --journald` costs ~4-7 ms per command). The
// journal's *stream* socket (/run/systemd/journal/stdout, what systemd-cat uses) is SOCK_STREAM:
// one in-process connect and write, well under a millisecond. It carries MESSAGE only, so the line
// is logfmt (`journalctl -t jdssc --grep request_id=…`). No journal (containers, CI): the line goes
// to the log file if one is configured, else nowhere. Auditing never fails or delays a command
// beyond a short cap.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { CommandDef } from './command';
import type { Factory, IO } from './factory';
import { storageIdOf } from './hostEnv';

/** journald's stdout-stream socket (SOCK_STREAM, unlike /run/systemd/journal/socket and /dev/log). */
export const JOURNAL_STREAM_SOCKET = '/run/systemd/journal/stdout';
/** Another stream socket path (tests, bench); empty turns the journal off (log file only). */
export const JOURNAL_SOCKET_ENV = 'JDSSC_JOURNAL_SOCKET';
/** The most a journal write may add to a command; past it the line goes to the log file. */
const JOURNAL_TIMEOUT_MS = 250;

export interface AuditFields {
  op: string;
  objects: string[];
  storage: string;
  node: string;
  outcome: 'ok' | 'error';
  exit: number;
  durationMs: number;
  requestId: string;
}

/** Delivers one line; resolves false when it could not (the caller then falls back). */
export type JournalSink = (line: string, priority: number) => Promise<boolean>;

/** syslog priorities the journal understands. */
const PRIORITY = { warning: 4, info: 6, debug: 7 } as const;

/** logfmt, in a fixed order so a person can read it and a script can split it. */
export function formatAuditLine(a: AuditFields): string {
  const pairs: Array<[string, string | number]> = [
    ['op', a.op],
    ['objects', a.objects.join(',')],
    ['storage', a.storage],
    ['node', a.node],
    ['outcome', a.outcome],
    ['exit', a.exit],
    ['duration_ms', a.durationMs],
    ['request_id', a.requestId],
  ];
  return `audit ${pairs.map(([k, v]) => `${k}=${quote(String(v))}`).join(' ')}`;
}

function quote(v: string): string {
  // Quoting (JSON escapes) also keeps a newline in a name from starting a second journal entry.
  return /^[A-Za-z0-9_.:@/+-]+$/.test(v) ? v : JSON.stringify(v);
}

/** A fresh correlation id (not a secret: it only ties one invocation's lines together). */
export function newRequestId(random: () => number = Math.random): string {
  let id = '';
  for (let i = 0; i < 12; i++) id += Math.floor(random() * 16).toString(16);
  return id;
}

/** The journal's stream protocol: a header (identifier, unit, priority, level prefix, forwards), then lines. */
export function journalStreamSink(path: string, timeoutMs = JOURNAL_TIMEOUT_MS): JournalSink {
  return async (line, priority) => {
    if (!path || !existsSync(path)) return false;
    const net = await import('node:net');
    return new Promise<boolean>((resolve) => {
      const sock = net.createConnection(path);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        sock.destroy();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      sock.once('error', () => done(false));
      sock.once('connect', () => sock.end(`jdssc\n\n${priority}\n0\n0\n0\n0\n${line}\n`, () => done(true)));
    });
  };
}

export interface AuditOptions {
  /** Where lines go; default: the journal stream socket ($JDSSC_JOURNAL_SOCKET overrides the path). */
  sink?: JournalSink;
  clock?: { now(): number };
  node?: () => string;
}

export interface Audit {
  readonly requestId: string;
  /** Writes the line for this invocation (if it is audited). Never throws. */
  end(f: Factory, exit: number): Promise<void>;
}

/**
 * Called before the factory exists: fixes the invocation's request id (the given --request-id or a
 * new one) in argv, where the logger reads it, so log lines, REST log lines and the audit line agree.
 */
export function beginAudit(def: CommandDef, argv: Record<string, unknown>, io: IO, o: AuditOptions = {}): Audit {
  const now = () => (o.clock ? o.clock.now() : Date.now());
  const started = now();
  const given = argv['request-id'];
  const requestId = typeof given === 'string' && given !== '' ? given : newRequestId();
  argv['request-id'] = requestId;
  const sink = o.sink ?? journalStreamSink(io.env[JOURNAL_SOCKET_ENV] ?? JOURNAL_STREAM_SOCKET);
  return {
    requestId,
    async end(f, exit) {
      try {
        let storage = '-';
        let debug = false;
        try {
          const s = f.settings();
          storage = storageIdOf(s);
          debug = s.logLevel === 'debug';
        } catch {
          // A configuration error is what the command reports; the line still says what was tried.
        }
        const mutating = typeof def.mutates === 'function' ? def.mutates(argv) : def.mutates === true;
        if (!mutating && !debug) return;
        const line = f.redactor.redact(
          formatAuditLine({
            op: opName(def, argv),
            objects: objectsOf(def, argv),
            storage,
            node: (o.node ?? hostname)(),
            outcome: exit === 0 ? 'ok' : 'error',
            exit,
            durationMs: Math.max(0, Math.round(now() - started)),
            requestId,
          }),
        );
        const priority = !mutating ? PRIORITY.debug : exit === 0 ? PRIORITY.info : PRIORITY.warning;
        if (await sink(line, priority).catch(() => false)) return;
        try {
          f.logger().info(line);
        } catch {
          // no usable configuration, so no log file either
        }
      } catch {
        // Auditing must never fail the command it describes.
      }
    },
  };
}

/** `volume create` from yargs' command words. */
function opName(def: CommandDef, argv: Record<string, unknown>): string {
  const words = Array.isArray(argv._) ? argv._.map(String) : [];
  return words.length > 0 ? words.join(' ') : def.command.split(' ')[0];
}

/** The positionals the command names (`<volume> <snapshot>`), plus --snapshot where it is an option. */
function objectsOf(def: CommandDef, argv: Record<string, unknown>): string[] {
  const names = [...def.command.matchAll(/[<[]([^\]>]+)[\]>]/g)].map((m) => m[1].replace(/\.\.\.$/, ''));
  if (!names.includes('snapshot')) names.push('snapshot');
  return names.flatMap((n) => {
    const v = argv[n];
    return typeof v === 'string' || typeof v === 'number' ? [String(v)] : [];
  });
}
