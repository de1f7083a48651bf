// Settings the login commands need: target placement, CHAP (secret from the password file),
// this storage's id on the host, multipath.
import type { Factory } from '../../cli/factory';
import { storageIdOf } from '../../cli/hostEnv';
import type { LoginSettings } from '../../login/volume';
import { targetSettings } from '../target/settings';

export async function loginSettings(f: Factory): Promise<LoginSettings> {
  const s = f.settings();
  return { ...(await targetSettings(f)), storageId: storageIdOf(s), multipath: s.multipath };
}
