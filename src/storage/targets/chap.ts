// Makes a target's CHAP state match the storage: with CHAP, exactly one incoming user (ours);
// without, no users and authentication off. The secret is sent only in a request body.
import { ConfigError } from '../../errors';
import { addIncomingUser, deleteIncomingUser, listIncomingUsers, updateTarget, type TargetRecord } from '../../jovian';
import type { StorageContext } from '../context';
import { checkChapSecret } from '../../config';

export interface ChapSettings {
  enabled: boolean;
  user?: string;
  secret?: string;
}

export function checkChap(chap: ChapSettings): void {
  if (!chap.enabled) return;
  if (!chap.user) throw new ConfigError('CHAP is enabled but chap_user_name is not set', 'chap_user_name');
  if (!chap.secret) {
    throw new ConfigError(
      'CHAP is enabled but no CHAP secret was given: add a `chap_user_password <secret>` line to the password file',
      'chap_user_password',
    );
  }
  checkChapSecret('chap_user_password', chap.secret);
}

/** `refresh` replaces the user even when it looks right (pushes a rotated secret). */
export async function syncChap(ctx: StorageContext, target: TargetRecord, chap: ChapSettings, refresh = false): Promise<void> {
  const users = chap.enabled || target.chap ? await listIncomingUsers(ctx.rest, target.name) : [];
  if (chap.enabled) {
    const correct = users.length === 1 && users[0] === chap.user;
    if (!correct || refresh) {
      for (const u of users) await deleteIncomingUser(ctx.rest, target.name, u);
      await addIncomingUser(ctx.rest, target.name, chap.user as string, chap.secret as string);
    }
    if (!target.chap) await updateTarget(ctx.rest, target.name, { chap: true });
    return;
  }
  if (target.chap) await updateTarget(ctx.rest, target.name, { chap: false });
  for (const u of users) await deleteIncomingUser(ctx.rest, target.name, u);
}
