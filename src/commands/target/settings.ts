// Target settings from the configuration (and the CHAP secret from the password file).
import type { Factory } from '../../cli/factory';
import type { TargetSettings } from '../../storage/targets/publish';

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
