// The fast registration of the global flags (addGlobalOptions forHelp: false, used by every run
// that shows no help) must parse exactly as the full one: same known keys, aliases, types and
// value rules, same values for every flag under every name, same errors.
import { describe, expect, test } from '@jest/globals';
import yargs from 'yargs';
import { addGlobalOptions, otherOptions, settingOptions } from '../../src/cli/globalOptions';

type Parsed = { argv?: Record<string, unknown>; error?: string };

function parse(args: string[], forHelp: boolean): Parsed {
  try {
    const argv = addGlobalOptions(yargs(), { forHelp })
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseSync(args) as Record<string, unknown>;
    const { $0: _script, ...rest } = argv;
    return { argv: rest };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function parserOptions(forHelp: boolean): Record<string, unknown> {
  const o = (addGlobalOptions(yargs(), { forHelp }) as unknown as { getOptions(): Record<string, unknown> }).getOptions();
  const sorted = (v: unknown) => (Array.isArray(v) ? [...v].sort() : v);
  return {
    key: Object.keys(o.key as object).sort(),
    alias: o.alias,
    string: sorted(o.string),
    boolean: sorted(o.boolean),
    narg: o.narg,
    local: sorted(o.local),
  };
}

const all = { ...settingOptions(), ...otherOptions() };
const names = Object.entries(all).flatMap(([k, o]) => [k, ...[o.alias ?? []].flat()]);

describe('global flags without help text', () => {
  test('yargs knows the same keys, aliases, types and value rules', () => {
    expect(parserOptions(false)).toEqual(parserOptions(true));
  });

  test.each(names)('--%s parses the same (value, missing value, repeated, negated)', (name) => {
    const flag = name.length === 1 ? `-${name}` : `--${name}`;
    for (const args of [[flag, 'v1'], [flag, '-1G'], [flag], [flag, 'a', flag, 'b'], [`--no-${name}`], [`${flag}=x`]]) {
      expect({ args, ...parse(args, false) }).toEqual({ args, ...parse(args, true) });
    }
  });

  test('an unknown flag is refused by both', () => {
    expect(parse(['--no-such-flag', 'x'], false).error).toBeDefined();
    expect(parse(['--no-such-flag', 'x'], false)).toEqual(parse(['--no-such-flag', 'x'], true));
  });

  test('a secret flag is refused by both', () => {
    const r = parse(['--password', 'x'], false);
    expect(r.error).toMatch(/secrets never go on the command line/);
    expect(r).toEqual(parse(['--password', 'x'], true));
  });
});
