// What keeps secrets out of a support bundle: every file passes through two layers. A line whose
// key names a secret (user_password, chap_user_password, node.session.auth.password …) keeps its
// key and loses its value, in YAML (`k: v`), storage.cfg (`\tk v`) and iscsid (`k = v`) syntax;
// then every secret value jdssc knows (password file, stdin, env, YAML) is replaced wherever it
// appears, by the same redactor the log file uses.
import type { Redactor } from '../../log/logger';

/** The same mark the log file's redactor leaves. */
export const BLANKED = '***';

const SECRET_LINE = /^(\s*[\w.-]*(?:password|passwd|secret)[\w.-]*)(\s*[:=]\s*|\s+)(\S.*)$/i;
/** Keys that name where a secret is kept, not the secret: kept (a support case needs the path). */
const NOT_SECRET = /(?:file|path|stdin|method)$/i;

export function blankSecretLines(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = SECRET_LINE.exec(line);
      return m && !NOT_SECRET.test(m[1]) ? `${m[1]}${m[2]}${BLANKED}` : line;
    })
    .join('\n');
}

export function scrubber(redactor: Redactor): (text: string) => string {
  return (text) => redactor.redact(blankSecretLines(text));
}

/** The `joviandss` sections of a storage.cfg (a section runs from its `type: id` line to the next blank line or section). */
export function joviandssSections(cfg: string): string {
  const out: string[] = [];
  let keep = false;
  for (const line of cfg.split('\n')) {
    const head = /^(\S+):\s*(\S+)/.exec(line);
    if (head) keep = head[1] === 'joviandss';
    else if (line.trim() === '') {
      if (keep) out.push('');
      keep = false;
      continue;
    }
    if (keep) out.push(line);
  }
  return out.join('\n');
}
