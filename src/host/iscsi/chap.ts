// CHAP on a node record without the secret ever reaching an argv: authmethod and user name go
// through iscsiadm; the password is first set to a random placeholder, which is then replaced
// inside the record file (nodeDb.swapPlaceholder). Clearing sets authmethod None and empties both.
// Either can be asked to write only some of the three settings (the others already right).
import { randomBytes } from 'node:crypto';
import { HostError, UsageError } from '../../errors';
import { nodeUpdate } from './iscsiadm';
import { swapPlaceholder } from './nodeDb';
import type { ChapCredentials, HostEnv, Portal } from '../core/types';

const AUTH = 'node.session.auth';

/** Which of the three CHAP settings of a record to write. */
export interface ChapWrites {
  authmethod: boolean;
  username: boolean;
  password: boolean;
}

export const ALL_CHAP: ChapWrites = { authmethod: true, username: true, password: true };

export function validateChap(c: ChapCredentials): void {
  if (!/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(c.user)) {
    throw new UsageError('CHAP user name may only contain letters, digits, - and _, and must not start or end with -');
  }
  // The record file is line-based: no whitespace or control characters (message never echoes it).
  if (c.secret.length === 0 || /[\s\x00-\x1f\x7f]/.test(c.secret)) {
    throw new UsageError('CHAP secret is empty or contains whitespace or control characters');
  }
}

export async function setChap(env: HostEnv, target: string, p: Portal, creds: ChapCredentials, need: ChapWrites = ALL_CHAP): Promise<void> {
  validateChap(creds);
  env.log.addSecret(creds.secret);
  if (need.authmethod) await nodeUpdate(env, target, p, `${AUTH}.authmethod`, 'CHAP');
  if (need.username) await nodeUpdate(env, target, p, `${AUTH}.username`, creds.user);
  if (!need.password) return;
  const placeholder = `jdssc-placeholder-${randomBytes(16).toString('hex')}`;
  await nodeUpdate(env, target, p, `${AUTH}.password`, placeholder);
  try {
    const file = swapPlaceholder(env.roots.iscsiDb, target, p, placeholder, creds.secret);
    env.log.debug(`CHAP secret placed in node record ${file}`);
  } catch (e) {
    // Never leave a record that half-authenticates (or holds the placeholder): reset it.
    await clearChap(env, target, p).catch((c) => env.log.warn(`resetting CHAP after a failed setup: ${(c as Error).message}`));
    if (e instanceof HostError) throw e;
    throw new HostError(
      `CHAP setup for ${target}: cannot rewrite the node record: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

export async function clearChap(env: HostEnv, target: string, p: Portal, need: ChapWrites = ALL_CHAP): Promise<void> {
  if (need.authmethod) await nodeUpdate(env, target, p, `${AUTH}.authmethod`, 'None');
  if (need.username) await nodeUpdate(env, target, p, `${AUTH}.username`, '');
  if (need.password) await nodeUpdate(env, target, p, `${AUTH}.password`, '');
}
