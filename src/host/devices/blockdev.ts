// blockdev --getsize64: the size the block layer (and so QEMU) sees for one device.
import { runTool } from '../core/exec';
import type { HostEnv } from '../core/types';

export async function getSize64(env: HostEnv, device: string): Promise<number | null> {
  const r = await runTool(env, 'blockdev', ['--getsize64', device]);
  if (r.code !== 0) return null;
  const n = Number(r.stdout.trim());
  return Number.isSafeInteger(n) ? n : null;
}
