// Entry point: wires yargs to the command table, runs one command, prints its result or its
// error, and returns the exit code. Nothing else in the program prints or exits.
import * as nodeFs from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { EXIT, InterruptedError, UsageError, isJdsscError } from '../errors';
import { VERSION } from '../version';
import type { CommandDef, NounDef } from '../cmdutil/command';
import { NOUNS, TOP_LEVEL } from './commandTable';
import { createFactory, type FactoryOverrides, type IO } from '../cmdutil/factory';
import { addGlobalOptions } from './globalOptions';
import { Printer } from '../cmdutil/output';
import { beginAudit } from '../cmdutil/audit';
import { withProgress } from '../cmdutil/progress';
import { forgetStatus } from '../cmdutil/statusCache';

const EXIT_CODES = `Exit codes:
  0 ok             1 internal/appliance error   2 usage or configuration error
  3 not found      4 already exists/conflict    5 busy or blocked (clones, newer snapshots, sessions)
  6 storage unreachable or deadline exceeded     7 authentication or TLS trust failed
  8 no space on the pool                        9 host-side failure (iscsiadm, multipath, device)
  10 cleanup found orphans (dry run) or left some behind
  11 interrupted (SIGTERM/SIGINT): the step in flight was finished or undone first`;

/** How main() runs: `signals` makes SIGTERM/SIGINT stop the command cleanly (the real process only). */
export interface MainOptions {
  signals?: boolean;
}

export async function main(args: string[], io: IO, overrides: FactoryOverrides = {}, opts: MainOptions = {}): Promise<number> {
  const wantsJson = args.includes('--json');
  let outcome: Promise<number> | undefined;
  let captured = '';

  const cli = buildCli(io, (def, argv) => (outcome = runCommand(def, argv, io, overrides, opts)), args);

  try {
    await cli.parseAsync(protectAfterDashDash(args), {}, (_err, _argv, output) => {
      captured = output;
    });
  } catch (e) {
    const printer = new Printer(io, wantsJson);
    if (isJdsscError(e)) {
      printer.error(e);
      return e.exitCode;
    }
    printer.error(new UsageError((e as Error).message));
    return EXIT.USAGE;
  }
  if (outcome) return outcome;
  if (captured) io.stdout.write(wantsJson ? jsonOfText(captured, args) : captured.endsWith('\n') ? captured : `${captured}\n`);
  return EXIT.OK;
}

/** The yargs parser over the command table; `start` receives the chosen command and its parsed args. */
function buildCli(io: IO, start: Start, args: string[]): Argv {
  const cli: Argv = addGlobalOptions(yargs(), { forHelp: mayShowHelp(args) })
    .scriptName('jdssc')
    .usage('$0 <noun> <verb> [options]\n\nManage Open-E JovianDSS storage for Proxmox VE.')
    .exitProcess(false)
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .completion('completion', 'Print a bash completion script (e.g. > /etc/bash_completion.d/jdssc); always text, even with --json')
    .wrap(Math.min(110, (io.stdout as { columns?: number }).columns ?? 100))
    .epilogue(EXIT_CODES)
    .demandCommand(1, 'give a command; see jdssc --help')
    .fail((msg, err) => {
      if (err && err.name !== 'YError') throw err;
      throw new UsageError(usageMessage(msg || (err?.message ?? '')));
    })
    // Before validation, so a repeated option is named as such rather than failing later as a
    // strange value ("1G,2G") or being silently read as one of its two values.
    .middleware((argv) => {
      refuseRepeats(args, optionsOf(cli), argv as Record<string, unknown>);
      unprotect(argv as Record<string, unknown>);
    }, true);

  skipHelpCaching(cli);
  for (const noun of NOUNS) cli.command(noun.name, noun.describe, (y) => addVerbs(y, noun, start));
  for (const def of TOP_LEVEL) addCommand(cli, def, start);
  return cli;
}

/**
 * Whether this run may render help, usage or completion text, which needs the global flags'
 * descriptions and groups; every other run registers the flags without them (faster start-up).
 */
function mayShowHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => HELP_WORDS.has(a) || a.startsWith('--get-yargs-completions'));
}
const HELP_WORDS = new Set(['--help', '-h', 'help', 'completion', '--show-hidden']);

/**
 * Test seam: parses `args` exactly as main() does and returns the command it chose with the args
 * its `run` would receive, without running it (undefined for --help, --version, completion).
 * Usage errors throw, as they do inside main().
 */
export async function parseCommand(args: string[], io: IO): Promise<{ def: CommandDef; args: Record<string, unknown> } | undefined> {
  let chosen: { def: CommandDef; args: Record<string, unknown> } | undefined;
  await buildCli(io, (def, argv) => (chosen = { def, args: argv }), args).parseAsync(protectAfterDashDash(args), {}, () => undefined);
  return chosen;
}

/**
 * yargs renders the complete help text after every command handler "in case it is needed
 * later"; jdssc never shows help after a command ran, and the rendering is the largest part of
 * start-up (Proxmox runs jdssc for every disk operation). --help itself is unaffected.
 */
function skipHelpCaching(cli: Argv): void {
  const internals = (cli as unknown as { getInternalMethods?: () => { getUsageInstance(): { cacheHelpMessage?: () => void } } })
    .getInternalMethods;
  const usage = internals?.call(cli).getUsageInstance();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

type Start = (def: CommandDef, argv: Record<string, unknown>) => void;

function addCommand(y: Argv, def: CommandDef, start: Start): void {
  y.command(
    def.command,
    def.describe,
    (sub) => {
      const built = def.builder ? def.builder(sub) : sub;
      for (const [cmd, text] of def.examples) built.example(cmd, text);
      // An option that takes a value takes the next word whatever it looks like (`--size -1G`
      // reaches the size check instead of becoming the flags -1 and -G), and one given without a
      // value is a usage error rather than an empty string.
      const positionals = new Set([...def.command.matchAll(/[<[]([\w-]+)[>\]]/g)].map((m) => m[1]));
      const o = optionsOf(built);
      const valued = [...o.string, ...Object.keys(o.choices)].filter((k) => !positionals.has(k) && !o.array.includes(k));
      if (valued.length) built.requiresArg([...new Set(valued)]);
      return built;
    },
    (argv) => start(def, argv as Record<string, unknown>),
    [],
    false,
  );
}

function addVerbs(y: Argv, noun: NounDef, start: Start): Argv {
  for (const def of noun.verbs) addCommand(y, def, start);
  return y.demandCommand(
    1,
    `give a ${noun.name} verb (${noun.verbs.map((v) => v.command.split(' ')[0]).join(', ')}); see jdssc ${noun.name} --help`,
  );
}

/** After SIGTERM/SIGINT the step in flight gets this long to finish or be undone ... */
const STOP_GRACE_MS = 3000;
/** ... and jdssc exits this long after the signal whatever the command is doing. */
const STOP_HARD_CAP_MS = 5000;

/**
 * SIGTERM/SIGINT during a command: the invocation's deadline shrinks to a short grace, so the
 * running flow stops at its next wait and runs its own undo; `stopped` settles when the signal
 * came, `capped` when the hard cap after it has passed.
 */
function watchSignals(f: ReturnType<typeof createFactory>): { stopped: () => string | undefined; capped: Promise<string>; off(): void } {
  let signal: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let fire: (s: string) => void = () => undefined;
  const capped = new Promise<string>((resolve) => (fire = resolve));
  const on = (s: NodeJS.Signals) => {
    if (signal) return;
    signal = s;
    try {
      f.deadline().abort(s, STOP_GRACE_MS);
    } catch {
      // no deadline (the configuration failed): nothing is in flight
    }
    timer = setTimeout(() => fire(s), STOP_HARD_CAP_MS);
  };
  process.on('SIGTERM', on);
  process.on('SIGINT', on);
  return {
    stopped: () => signal,
    capped,
    off() {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      if (timer) clearTimeout(timer);
    },
  };
}

function interrupted(signal: string, finished: boolean): InterruptedError {
  return new InterruptedError(
    finished
      ? `interrupted by ${signal}: stopped after the step in flight finished or was undone`
      : `interrupted by ${signal}: the command did not stop within ${STOP_HARD_CAP_MS / 1000} s; check what it was changing before retrying`,
    { signal, finished },
  );
}

async function runCommand(
  def: CommandDef,
  argv: Record<string, unknown>,
  io: IO,
  overrides: FactoryOverrides,
  opts: MainOptions,
): Promise<number> {
  const audit = beginAudit(def, argv, io, { clock: overrides.clock }); // first: it fixes the request id the logger uses
  const f = createFactory(argv, io, overrides);
  let exit: number = EXIT.INTERNAL;
  const printer = new Printer(io, argv.json === true, f.redactor);
  const signals = opts.signals ? watchSignals(f) : undefined;
  try {
    for (const w of f.config().warnings) printer.warn(w);
    const work = withProgress(def.run(argv, f), f, def, argv); // a spinner on a TTY during long waits
    const result = signals
      ? await Promise.race([
          work,
          signals.capped.then((s) => {
            throw interrupted(s, false);
          }),
        ])
      : await work;
    const signal = signals?.stopped();
    if (signal) throw interrupted(signal, true); // it finished, but its caller asked it to stop
    printer.result(result, def.human);
    return (exit = def.exitCode ? def.exitCode(result) : EXIT.OK);
  } catch (caught) {
    // Whatever a stopped command failed with (its deadline ran out), it was the signal.
    const signal = signals?.stopped();
    const e = signal && !(caught instanceof InterruptedError) ? interrupted(signal, true) : caught;
    const known = isJdsscError(e);
    try {
      // An unexpected error keeps its stack in the log; the user sees its message only.
      f.logger().error(known ? e.message : `internal error: ${(e as Error)?.stack ?? String(e)}`);
    } catch {
      // The configuration itself may be what failed.
    }
    printer.error(known ? e : new Error(`internal error: ${(e as Error)?.message ?? String(e)}`));
    return (exit = known ? e.exitCode : EXIT.INTERNAL);
  } finally {
    signals?.off();
    if (typeof def.mutates === 'function' ? def.mutates(argv) : def.mutates === true) forgetCachedStatus(f);
    await audit.end(f, exit);
    f.close();
  }
}

/** A changing command (even one that failed half-way) leaves no cached capacity behind on this node. */
function forgetCachedStatus(f: ReturnType<typeof createFactory>): void {
  let dir: string;
  try {
    dir = f.stateDir();
  } catch {
    return; // the configuration itself failed: nothing was changed
  }
  forgetStatus(f.overrides.fs ?? nodeFs, dir);
}

/** What yargs knows of the options in effect: getOptions() is public yargs API @types/yargs omits. */
interface ParserOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  string: string[];
  boolean: string[];
  array: string[];
  choices: Record<string, unknown>;
}

function optionsOf(y: Argv): ParserOptions {
  return (y as unknown as { getOptions(): ParserOptions }).getOptions();
}

/**
 * Words after `--` are operands even when they start with `-`. yargs leaves them out of the
 * positionals of a nested command, so they are marked here (a leading control character, which
 * no flag has) and the mark is removed once yargs has parsed them as positionals.
 */
const OPERAND = '\u0001';

function protectAfterDashDash(args: string[]): string[] {
  const at = args.indexOf('--');
  if (at < 0) return args;
  return [...args.slice(0, at), ...args.slice(at + 1).map((a) => (a.startsWith('-') ? OPERAND + a : a))];
}

function unprotect(argv: Record<string, unknown>): void {
  const strip = (v: unknown): unknown =>
    typeof v === 'string' && v.startsWith(OPERAND) ? v.slice(1) : Array.isArray(v) ? v.map(strip) : v;
  for (const [k, v] of Object.entries(argv)) argv[k] = strip(v);
}

/**
 * Every option is given at most once (under any of its names): of two values, neither may be
 * silently taken. Read from the words as typed, since yargs keeps only the last of a repeated
 * boolean; array options (e.g. `simulator start --vip`) repeat by design.
 */
function refuseRepeats(args: string[], o: ParserOptions, argv: Record<string, unknown>): void {
  const known = new Set(Object.keys(o.key));
  const canonical = new Map<string, string>();
  for (const k of known) canonical.set(k, k);
  for (const [k, aliases] of Object.entries(o.alias)) for (const a of aliases) canonical.set(a, k);
  const takesValue = new Set([...o.string, ...Object.keys(o.choices)].map((k) => canonical.get(k) ?? k));
  const seen = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (word === '--') break;
    const m = /^--([^=]+)(=.*)?$/.exec(word) ?? /^-([A-Za-z])(=.*)?$/.exec(word);
    if (!m) continue;
    let name = m[1];
    if (!canonical.has(name) && name.startsWith('no-') && canonical.has(name.slice(3))) name = name.slice(3);
    const key = canonical.get(name);
    if (key === undefined || key === 'help' || key === 'version' || o.array.includes(key)) continue;
    const spelled = word.split('=')[0];
    const first = seen.get(key);
    if (first !== undefined) {
      // named as typed; two spellings of one option are both shown
      throw new UsageError(
        first === spelled ? `${spelled} given twice: give it once` : `--${key} given twice (as ${first} and ${spelled}): give it once`,
      );
    }
    seen.set(key, spelled);
    if (takesValue.has(key) && m[2] === undefined) i++; // its value, whatever it looks like
  }
  // Whatever the words said, a list where one value belongs is refused too.
  for (const [k, v] of Object.entries(argv)) {
    const key = canonical.get(k);
    if (Array.isArray(v) && k !== '_' && key !== undefined && !o.array.includes(key))
      throw new UsageError(`--${key} given twice: give it once`);
  }
}

/** yargs' own wording where it does not name the flag the way users type it. */
function usageMessage(msg: string): string {
  const m = /^Not enough arguments following: (\S+)$/.exec(msg);
  return m ? `--${m[1]} needs a value` : msg;
}

/**
 * With --json, what yargs prints itself is one JSON document too: `{"version":…}` for --version,
 * `{"help":…}` for help text. The completion script stays a script (its help says so).
 */
function jsonOfText(text: string, args: string[]): string {
  if (args.includes('completion') && !args.includes('--help') && !args.includes('-h')) return text.endsWith('\n') ? text : `${text}\n`;
  const doc = text.trim() === VERSION && args.includes('--version') ? { version: VERSION } : { help: text.trimEnd() };
  return `${JSON.stringify(doc)}\n`;
}
