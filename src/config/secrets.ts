// Where secrets come from. Never from argv: a password on a command line is visible to every
// user through `ps` and lands in shell history. Order: password file > stdin > environment >
// the (0600) YAML file.
import { ConfigError } from '../errors';
import type { FileSystem } from './fs';
import type { YamlSecrets } from './load';

export interface Secrets {
  restPassword?: string;
  chapSecret?: string;
}

export interface SecretSources {
  passwordFile?: string;
  passwordStdin?: boolean;
  env: Record<string, string | undefined>;
  yaml: YamlSecrets;
  readStdin: () => Promise<string>;
  fs: FileSystem;
}

export const PASSWORD_ENV = 'JDSSC_PASSWORD';
export const CHAP_SECRET_ENV = 'JDSSC_CHAP_PASSWORD';

export async function loadSecrets(src: SecretSources): Promise<Secrets> {
  const fromFile = src.passwordFile ? readPasswordFile(src.passwordFile, src.fs) : {};
  let stdinPassword: string | undefined;
  if (src.passwordStdin) {
    stdinPassword = firstLine(await src.readStdin());
    if (!stdinPassword) throw new ConfigError('--password-stdin: nothing was read from standard input');
  }
  return {
    restPassword: fromFile.restPassword ?? stdinPassword ?? nonEmpty(src.env[PASSWORD_ENV]) ?? src.yaml.restPassword,
    chapSecret: fromFile.chapSecret ?? nonEmpty(src.env[CHAP_SECRET_ENV]) ?? src.yaml.chapSecret,
  };
}

/**
 * A password file holds either one line (the REST password) or upstream's sensitive-file
 * format: `user_password <pw>` and `chap_user_password <pw>` lines (value = rest of the line).
 */
export function readPasswordFile(path: string, fs: FileSystem): Secrets {
  let mode: number;
  let text: string;
  try {
    const st = fs.statSync(path);
    if (!st.isFile()) throw new ConfigError(`password file ${path} is not a regular file`, 'password_file');
    mode = st.mode & 0o777;
    text = fs.readFileSync(path, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by this user' : `cannot be read (${code})`;
    throw new ConfigError(`password file ${path} ${why}`, 'password_file');
  }
  if (mode & 0o077) {
    throw new ConfigError(
      `password file ${path} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`,
      'password_file',
    );
  }
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const keyed = lines.some((l) => /^(user_password|chap_user_password)(\s|$)/.test(l));
  if (!keyed) {
    const pw = lines[0];
    if (!pw) throw new ConfigError(`password file ${path} is empty`, 'password_file');
    return { restPassword: pw };
  }
  const out: Secrets = {};
  for (const line of lines) {
    const m = /^(\S+)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'user_password') out.restPassword = m[2];
    else if (m[1] === 'chap_user_password') out.chapSecret = m[2];
  }
  return out;
}

function firstLine(text: string): string | undefined {
  return nonEmpty(text.split(/\r?\n/)[0]?.trim());
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
