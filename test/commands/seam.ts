// Helpers of the command-seam tier (test/commands/): parse an argv with the CLI's own parser
// without running anything, check that a bad argv is a one-line usage error (exit 2) before any
// command runs, and render a result with a command's `human` through a Printer on a capture
// stream (colour on a TTY, none off a TTY or with NO_COLOR).
import { Readable, Writable } from 'node:stream';
import { describe, expect, jest, test } from '@jest/globals';
import yargs from 'yargs';
import { main, parseCommand } from '../../src/cli/main';
import { NOUNS, TOP_LEVEL } from '../../src/cli/commandTable';
import type { CommandDef } from '../../src/cmdutil/command';
import type { IO } from '../../src/cmdutil/factory';
import { Printer } from '../../src/cmdutil/output';
import { EXIT, UsageError } from '../../src/errors';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: string, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function captureIO(isTTY = false, env: Record<string, string> = {}): IO & { stdout: Capture; stderr: Capture } {
  return { stdout: new Capture(isTTY), stderr: new Capture(false), stdin: Readable.from(['']), env };
}

/** The verbs of a noun as the command table lists them (or the top-level commands). */
export function verbsOf(noun: string): CommandDef[] {
  return noun === '' ? TOP_LEVEL : (NOUNS.find((n) => n.name === noun)?.verbs ?? []);
}

/** Every spelling of a command's own options and positionals: names, aliases and their camelCase forms. */
function ownKeys(def: CommandDef): Set<string> {
  const y = def.builder ? def.builder(yargs()) : yargs();
  // getOptions() is public yargs API that @types/yargs does not declare.
  const o = (y as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]> } }).getOptions();
  const positionals = [...def.command.matchAll(/[<[]([\w-]+)[>\]]/g)].map((m) => m[1]);
  const names = [...positionals, ...Object.keys(o.key), ...Object.values(o.alias).flat()].filter((n) => n !== 'help' && n !== 'version');
  return new Set(names.flatMap((n) => [n, n.replace(/-([a-z])/g, (_m: string, c: string) => c.toUpperCase())]));
}

/**
 * The command the CLI chooses for `argv` and the args its `run` receives, split into the
 * command's own options and positionals (`args`) and the global flags (`globals`); yargs' `_`
 * and `$0` left out.
 */
export async function parse(argv: string[]): Promise<{ def: CommandDef; args: Record<string, unknown>; globals: Record<string, unknown> }> {
  const chosen = await parseCommand(argv, captureIO());
  if (!chosen) throw new Error(`jdssc ${argv.join(' ')} chose no command`);
  const own = ownKeys(chosen.def);
  const entries = Object.entries(chosen.args).filter(([k]) => k !== '_' && k !== '$0');
  return {
    def: chosen.def,
    args: Object.fromEntries(entries.filter(([k]) => own.has(k))),
    globals: Object.fromEntries(entries.filter(([k]) => !own.has(k))),
  };
}

/**
 * A bad argv: the parser throws a UsageError (exit 2) matching `message`, and main() exits 2
 * with exactly one line on stderr, nothing on stdout, and no command's `run` called.
 */
export async function expectUsageError(argv: string[], message: RegExp): Promise<void> {
  const err = await parseCommand(argv, captureIO()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  expect((err as UsageError).exitCode).toBe(EXIT.USAGE);
  expect((err as UsageError).message).toMatch(message);

  const all = [...NOUNS.flatMap((n) => n.verbs), ...TOP_LEVEL];
  const spies = all.map((def) => jest.spyOn(def, 'run').mockRejectedValue(new Error('run must not be called')));
  try {
    const io = captureIO();
    expect(await main(argv, io)).toBe(EXIT.USAGE);
    expect(io.stdout.text).toBe('');
    expect(io.stderr.text).toMatch(/^error: [^\n]+\n$/);
    expect(io.stderr.text).toMatch(message);
    for (const s of spies) expect(s).not.toHaveBeenCalled();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

/** What `def.human` prints for `result` on stdout of the given terminal. */
export function render(def: CommandDef, result: unknown, isTTY: boolean, env: Record<string, string> = {}): string {
  if (!def.human) throw new Error(`${def.command} has no human renderer`);
  const io = captureIO(isTTY, env);
  new Printer(io, false).result(result, def.human);
  expect(io.stderr.text).toBe('');
  return io.stdout.text;
}

const BOLD = /\x1b\[1m(.*?)\x1b\[22m/g;
const ANSI = /\x1b\[[0-9;]*m/g;

/**
 * Human output of `result`: off a TTY exactly `lines`; on a TTY with NO_COLOR (or TERM=dumb) the
 * same bytes; on a colour TTY the same text with exactly the `bold` segments (trimmed) in bold.
 */
export function expectHuman(def: CommandDef, result: unknown, lines: string[], bold: string[]): void {
  const plain = render(def, result, false);
  expect(plain).toBe(lines.map((l) => `${l}\n`).join(''));
  expect(render(def, result, true, { NO_COLOR: '1' })).toBe(plain);
  expect(render(def, result, true, { TERM: 'dumb' })).toBe(plain);
  const tty = render(def, result, true);
  expect(tty.replace(ANSI, '')).toBe(plain);
  expect([...tty.matchAll(BOLD)].map((m) => m[1].trim())).toEqual(bold);
  if (bold.length === 0) expect(tty).toBe(plain);
}

export interface ParseCase {
  argv: string[];
  def: CommandDef;
  /** Exactly the command's own options and positionals `run` receives. */
  args: Record<string, unknown>;
  /** Global flags that must be among the rest. */
  globals?: Record<string, unknown>;
}
export interface BadCase {
  argv: string[];
  /** The command the argv is aimed at (none for a noun without a verb). */
  def?: CommandDef;
  message: RegExp;
}
export interface HumanCase {
  name: string;
  def: CommandDef;
  result: unknown;
  lines: string[];
  bold: string[];
}

/** The three tables of one noun ('' for the top-level commands), and that they cover its every verb. */
export function commandTier(noun: string, t: { parse: ParseCase[]; bad: BadCase[]; human: HumanCase[]; noHuman?: CommandDef[] }): void {
  const label = noun || 'top level';
  describe(`${label}: parse only`, () => {
    test.each(t.parse.map((c) => [c.argv.join(' '), c] as const))('jdssc %s', async (_title, c) => {
      const p = await parse(c.argv);
      expect(p.def).toBe(c.def);
      expect(p.args).toEqual(c.args);
      expect(p.globals).toMatchObject(c.globals ?? {});
    });
    test.each(t.bad.map((c) => [c.argv.join(' '), c] as const))('jdssc %s → usage error, exit 2, nothing run', async (_title, c) => {
      await expectUsageError(c.argv, c.message);
    });
  });
  if (t.human.length)
    describe(`${label}: human output`, () => {
      test.each(t.human.map((c) => [c.name, c] as const))('%s', (_title, c) => expectHuman(c.def, c.result, c.lines, c.bold));
    });
  test(`every ${label} command has a parse case, a bad-argv case and a human case`, () => {
    const verbs = verbsOf(noun);
    expect(verbs.length).toBeGreaterThan(0);
    const missing = (cases: Array<{ def?: CommandDef }>, except: CommandDef[] = []) =>
      verbs.filter((v) => !except.includes(v) && !cases.some((c) => c.def === v)).map((v) => v.command);
    expect({ parse: missing(t.parse), bad: missing(t.bad), human: missing(t.human, t.noHuman) }).toEqual({ parse: [], bad: [], human: [] });
  });
}
