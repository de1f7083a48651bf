// Settings that several command nouns hand to the layers below: target placement and CHAP (the
// secret from the password file) for publishing, plus this storage's host id and multipath for
// logging in.
import type { LoginSettings } from '../flows/login';
import type { TargetSettings } from '../storage';
import type { Factory } from './factory';
import { storageIdOf } from './hostEnv';

export async function targetSettings(f: Factory): Promise<TargetSettings> {
  const s = f.settings();
  const secret = s.chapEnabled ? (await f.secrets()).chapSecret : undefined;
  return {
    targetPrefix: s.targetPrefix,
    lunsPerTarget: s.lunsPerTarget,
    dataAddresses: s.dataAddresses,
    dataPort: s.dataPort,
    chap: { enabled: s.chapEnabled, user: s.chapUser, secret },
  };
}

export async function loginSettings(f: Factory): Promise<LoginSettings> {
  const s = f.settings();
  return { ...(await targetSettings(f)), storageId: storageIdOf(s), multipath: s.multipath };
}
