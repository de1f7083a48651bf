// Builds the effective settings: defaults < YAML file < global flags. The result is the only
// configuration object the rest of the program sees.
import { ConfigError } from '../errors';
import type { FileSystem } from './fs';
import { loadConfigFile, type LoadedFile } from './load';
import { DEFAULTS, SETTINGS, type Settings } from './schema';

export const CONFIG_ENV = 'JDSSC_CONFIG';
export const PASSWORD_FILE_ENV = 'JDSSC_PASSWORD_FILE';

export interface ConfigInputs {
  /** --config, else $JDSSC_CONFIG. */
  configFile?: string;
  /**
   * Global flag values keyed by flag name (`control-port`), undefined when not given. yargs
   * fills a flag's aliases too; a caller without yargs may give an old spelling alone.
   */
  flags: Record<string, unknown>;
  env: Record<string, string | undefined>;
  fs: FileSystem;
}

export interface ResolvedConfig {
  settings: Settings;
  file?: LoadedFile;
  warnings: string[];
}

export function resolveConfig(inputs: ConfigInputs): ResolvedConfig {
  const configFile = inputs.configFile ?? nonEmpty(inputs.env[CONFIG_ENV]);
  const file = configFile ? loadConfigFile(configFile, inputs.fs) : undefined;
  const settings: Settings = { ...DEFAULTS, ...(file?.values ?? {}) };

  for (const spec of SETTINGS) {
    const flag = given(inputs.flags, spec.flag) ?? spec.flagAliases?.find((a) => given(inputs.flags, a) !== undefined);
    if (flag === undefined) continue;
    (settings as unknown as Record<string, unknown>)[spec.setting] = spec.parse(`--${flag}`, inputs.flags[flag]);
  }
  if (settings.passwordFile === undefined) settings.passwordFile = nonEmpty(inputs.env[PASSWORD_FILE_ENV]);

  if (settings.controlAddresses.length === 0) settings.controlAddresses = [...settings.dataAddresses];
  if (settings.chapEnabled && !settings.chapUser) {
    throw new ConfigError('chap_enabled is true but chap_user_name is not set', 'chap_user_name');
  }
  return { settings, file, warnings: file?.warnings ?? [] };
}

/** Commands that talk to the appliance call this; others (help, simulator) never need addresses. */
export function requireControlAddresses(settings: Settings): string[] {
  if (settings.controlAddresses.length === 0) {
    throw new ConfigError(
      'no REST address configured: set control_addresses (or data_addresses) in the config file, or pass --control-addresses',
      'control_addresses',
    );
  }
  return settings.controlAddresses;
}

/** The flag's name when it has a value. */
function given(flags: Record<string, unknown>, flag: string): string | undefined {
  const v = flags[flag];
  return v === undefined || v === null ? undefined : flag;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
