// Entry point: wires yargs to the command table, runs one command, prints its result or its
// error, and returns the exit code. Nothing else in the program prints or exits.
import yargs, { type Argv } from 'yargs';
import { EXIT, UsageError, isJdsscError } from '../errors';
import { VERSION } from '../version';
import type { CommandDef, NounDef } from '../cmdutil/command';
import { NOUNS, TOP_LEVEL } from './commandTable';
import { createFactory, type FactoryOverrides, type IO } from '../cmdutil/factory';
import { addGlobalOptions } from './globalOptions';
import { Printer } from '../cmdutil/output';
import { beginAudit } from '../cmdutil/audit';
import { withProgress } from '../cmdutil/progress';

const EXIT_CODES = `Exit codes:
  0 ok             1 internal/appliance error   2 usage or configuration error
  3 not found      4 already exists/conflict    5 busy or blocked (clones, newer snapshots, sessions)
  6 storage unreachable or deadline exceeded     7 authentication or TLS trust failed
  8 no space on the pool                        9 host-side failure (iscsiadm, multipath, device)
  10 cleanup found orphans (dry run) or left some behind`;

export async function main(args: string[], io: IO, overrides: FactoryOverrides = {}): Promise<number> {
  const wantsJson = args.includes('--json');
  let outcome: Promise<number> | undefined;
  let captured = '';

  const cli = buildCli(io, (def, argv) => (outcome = runCommand(def, argv, io, overrides)));

  try {
    await cli.parseAsync(args, {}, (_err, _argv, output) => {
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
  if (captured) io.stdout.write(captured.endsWith('\n') ? captured : `${captured}\n`);
  return EXIT.OK;
}

/** The yargs parser over the command table; `start` receives the chosen command and its parsed args. */
function buildCli(io: IO, start: Start): Argv {
  const cli = addGlobalOptions(yargs())
    .scriptName('jdssc')
    .usage('$0 <noun> <verb> [options]\n\nManage Open-E JovianDSS storage for Proxmox VE.')
    .exitProcess(false)
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .completion('completion', 'Print a bash completion script (e.g. > /etc/bash_completion.d/jdssc)')
    .wrap(Math.min(110, (io.stdout as { columns?: number }).columns ?? 100))
    .epilogue(EXIT_CODES)
    .demandCommand(1, 'give a command; see jdssc --help')
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });

  skipHelpCaching(cli);
  for (const noun of NOUNS) cli.command(noun.name, noun.describe, (y) => addVerbs(y, noun, start));
  for (const def of TOP_LEVEL) addCommand(cli, def, start);
  return cli;
}

/**
 * Test seam: parses `args` exactly as main() does and returns the command it chose with the args
 * its `run` would receive, without running it (undefined for --help, --version, completion).
 * Usage errors throw, as they do inside main().
 */
export async function parseCommand(args: string[], io: IO): Promise<{ def: CommandDef; args: Record<string, unknown> } | undefined> {
  let chosen: { def: CommandDef; args: Record<string, unknown> } | undefined;
  await buildCli(io, (def, argv) => (chosen = { def, args: argv })).parseAsync(args, {}, () => undefined);
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

async function runCommand(def: CommandDef, argv: Record<string, unknown>, io: IO, overrides: FactoryOverrides): Promise<number> {
  const audit = beginAudit(def, argv, io, { clock: overrides.clock }); // first: it fixes the request id the logger uses
  const f = createFactory(argv, io, overrides);
  let exit: number = EXIT.INTERNAL;
  const printer = new Printer(io, argv.json === true, f.redactor);
  try {
    for (const w of f.config().warnings) printer.warn(w);
    const result = await withProgress(def.run(argv, f), f, def, argv); // a spinner on a TTY during long waits
    printer.result(result, def.human);
    return (exit = def.exitCode ? def.exitCode(result) : EXIT.OK);
  } catch (e) {
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
    await audit.end(f, exit);
    f.close();
  }
}
