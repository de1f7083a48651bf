// Reads the per-pool YAML file (upstream's flat key/value format) into validated settings.
// Bad values fail naming the key; unknown keys only warn so a newer file does not break an
// older jdssc; secrets are accepted only from files other users cannot read.
import { load as parseYaml } from 'js-yaml';
import { ConfigError } from '../errors';
import { IGNORED_KEYS, SECRET_KEYS, specForKey, type Settings } from './schema';
import type { FileSystem } from './fs';

export interface YamlSecrets {
  restPassword?: string;
  chapSecret?: string;
}

export interface LoadedFile {
  path: string;
  values: Partial<Settings>;
  /** Which YAML key supplied each setting (for messages). */
  keyOf: Partial<Record<keyof Settings, string>>;
  secrets: YamlSecrets;
  warnings: string[];
}

export function loadConfigFile(path: string, fs: FileSystem): LoadedFile {
  const text = readConfigText(path, fs);
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const reason = (e as { reason?: string; mark?: { line: number } }).reason ?? 'cannot parse';
    const line = (e as { mark?: { line: number } }).mark?.line;
    throw new ConfigError(`config ${path}: invalid YAML${line !== undefined ? ` at line ${line + 1}` : ''}: ${reason}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`config ${path}: expected "key: value" lines at the top level`);
  }

  const out: LoadedFile = { path, values: {}, keyOf: {}, secrets: {}, warnings: [] };
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    if (SECRET_KEYS.has(key)) {
      readSecret(out, key, value, fs);
    } else if (IGNORED_KEYS.has(key)) {
      if (key === 'driver_use_ssl' && value !== true && String(value).toLowerCase() !== 'true') {
        out.warnings.push(`config ${path}: driver_use_ssl is ignored: JovianDSS serves its REST API over HTTPS only`);
      }
    } else {
      applyKey(out, key, value);
    }
  }
  return out;
}

function readConfigText(path: string, fs: FileSystem): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`config file ${path} does not exist`);
    if (code === 'EACCES') throw new ConfigError(`config file ${path} is not readable by this user`);
    if (code === 'EISDIR') throw new ConfigError(`config file ${path} is a directory`);
    throw new ConfigError(`config file ${path} cannot be read: ${code ?? String(e)}`);
  }
}

function applyKey(out: LoadedFile, key: string, value: unknown): void {
  const spec = specForKey(key);
  if (!spec) {
    out.warnings.push(`config ${out.path}: unknown key '${key}' ignored`);
    return;
  }
  const label = `config ${out.path}: ${key}`;
  let parsed: unknown;
  try {
    parsed = spec.parse(key, value);
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`config ${out.path}: ${e.message}`, key);
    throw e;
  }
  const earlier = out.keyOf[spec.setting];
  if (earlier !== undefined && JSON.stringify(out.values[spec.setting]) !== JSON.stringify(parsed)) {
    throw new ConfigError(`${label} conflicts with ${earlier} (both set the same thing to different values)`, key);
  }
  (out.values as Record<string, unknown>)[spec.setting] = parsed;
  out.keyOf[spec.setting] = key;
}

function readSecret(out: LoadedFile, key: string, value: unknown, fs: FileSystem): void {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new ConfigError(`config ${out.path}: ${key}: expected a string`, key);
  }
  const mode = fs.statSync(out.path).mode & 0o777;
  if (mode & 0o004) {
    // The file is shared in support tickets and backups; a readable secret is a leak.
    throw new ConfigError(
      `config ${out.path} holds ${key} but is readable by all users (mode ${mode.toString(8).padStart(4, '0')}); run chmod 600 on it or move the secret to a password file`,
      key,
    );
  }
  if (key === 'chap_user_password') out.secrets.chapSecret = String(value);
  else out.secrets.restPassword = String(value);
}
