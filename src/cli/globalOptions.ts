// Global flags. Every setting's flag is generated from the settings table (src/config/schema.ts),
// so a new setting is added there only; declared here by hand are the flags that are not
// settings: --config, --password-stdin, --json, --request-id and the refused secret flags.
import type { Argv, Options } from 'yargs';
import { SETTINGS, shownDefault, type FlagGroup } from '../config';
import { UsageError } from '../errors';

export const GROUP_HEADINGS: Record<FlagGroup, string> = {
  connection: 'Connection:',
  storage: 'Storage defaults:',
  output: 'Output and logging:',
};

/** Flags refused outright: a secret on argv is visible to every user via ps. */
export const REFUSED_SECRET_FLAGS = ['password', 'user-password', 'chap-password'];

/** The yargs option of each setting, keyed by its flag. Values stay strings: the spec's parser reads them. */
export function settingOptions(): Record<string, Options> {
  const options: Record<string, Options> = {};
  for (const s of SETTINGS) {
    const shown = shownDefault(s);
    options[s.flag] = {
      type: 'string',
      // the next word is the value even when it starts with '-'; no value is a usage error
      requiresArg: true,
      global: true,
      group: GROUP_HEADINGS[s.group],
      describe: s.describe,
      // Never `default`: a default on argv would count as "given" and override the YAML file.
      ...(shown === undefined ? {} : { defaultDescription: shown }),
      ...(s.flagAliases ? { alias: s.flagAliases } : {}),
      ...(s.hidden ? { hidden: true } : {}),
    };
  }
  return options;
}

/** The global options that are not settings, --config first (it heads the Connection group). */
export function otherOptions(): Record<string, Options> {
  const options: Record<string, Options> = {
    config: {
      alias: 'c',
      type: 'string',
      requiresArg: true,
      global: true,
      group: GROUP_HEADINGS.connection,
      describe: 'per-pool YAML config file (also $JDSSC_CONFIG)',
    },
    'password-stdin': {
      type: 'boolean',
      global: true,
      group: GROUP_HEADINGS.connection,
      describe: 'read the REST password from standard input',
    },
    json: { type: 'boolean', global: true, group: GROUP_HEADINGS.output, describe: 'print one JSON document on stdout' },
    'request-id': {
      type: 'string',
      requiresArg: true,
      global: true,
      group: GROUP_HEADINGS.output,
      describe: 'tag every log line with this id',
    },
  };
  for (const flag of REFUSED_SECRET_FLAGS) options[flag] = { type: 'string', global: true, hidden: true };
  return options;
}

/**
 * `forHelp: false` (no help, usage text or completion will be shown) registers the same flags,
 * types, aliases and value rules in a few bulk calls and leaves out what only help renders
 * (descriptions, groups, shown defaults): yargs' per-option bookkeeping for ~50 global flags is
 * a large part of every start-up, and Proxmox starts jdssc for every disk operation.
 */
export function addGlobalOptions<T>(y: Argv<T>, { forHelp = true }: { forHelp?: boolean } = {}): Argv<T> {
  const others = otherOptions();
  // yargs lists groups and their flags in the order they are added; a key keeps its first
  // position when spread again, so --config stays first and the other options follow the table.
  const options = { config: others.config, ...settingOptions(), ...others };
  return withRefusals(forHelp ? (y.options(options) as unknown as Argv<T>) : bulk(y, options));
}

/** The parsing half of `options`, in one call per kind instead of one call per flag. */
function bulk<T>(y: Argv<T>, options: Record<string, Options>): Argv<T> {
  const keys = Object.keys(options);
  // an alias is a known key with its option's rules, as `options` registers it
  const named = (k: string) => [k, ...[options[k].alias ?? []].flat()];
  const where = (test: (o: Options) => unknown) => keys.filter((k) => test(options[k])).flatMap(named);
  const aliases: Record<string, string | readonly string[]> = {};
  for (const k of keys) if (options[k].alias !== undefined) aliases[k] = options[k].alias as string | readonly string[];
  return y
    .string(where((o) => o.type === 'string'))
    .boolean(where((o) => o.type === 'boolean'))
    .alias(aliases)
    .requiresArg(keys.filter((k) => options[k].requiresArg))
    .global(where((o) => o.global)) as Argv<T>;
}

function withRefusals<T>(y: Argv<T>): Argv<T> {
  return y.check((argv) => {
    for (const flag of REFUSED_SECRET_FLAGS) {
      if (argv[flag] !== undefined) {
        // Refused before anything else runs.
        throw new UsageError(
          `--${flag} is not accepted: secrets never go on the command line; use --password-file, --password-stdin or $JDSSC_PASSWORD`,
        );
      }
    }
    return true;
  }) as unknown as Argv<T>;
}
