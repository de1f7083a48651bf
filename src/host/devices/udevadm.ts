// udevadm: settle with a bound, and trigger for one device only (never a host-wide trigger).
import { HostError } from '../../errors';
import { tuning } from '../core/defaults';
import { runTool } from '../core/exec';
import type { HostEnv } from '../core/types';

export async function settle(env: HostEnv): Promise<boolean> {
  const sec = Math.max(1, Math.min(tuning(env).udevSettleSec, Math.floor(env.deadline.remaining() / 1000)));
  const r = await runTool(env, 'udevadm', ['settle', `--timeout=${sec}`], { timeoutMs: sec * 1000 + 2_000 });
  return r.code === 0;
}

/** Replay the uevent of one block device, addressed by its sysfs path (`<sys>/block/sdb`). */
export async function triggerDevice(env: HostEnv, sysPath: string, action: 'add' | 'change' = 'change'): Promise<boolean> {
  if (!/\/block\/(sd[a-z]+|dm-\d+)$/.test(sysPath)) throw new HostError(`refusing a udev trigger for '${sysPath}': one block device only`);
  const r = await runTool(env, 'udevadm', ['trigger', `--action=${action}`, sysPath]);
  return r.code === 0;
}
