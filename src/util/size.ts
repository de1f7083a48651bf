// Sizes as admins write them: bytes (`1073741824`) or binary units (`512M`, `1G`, `1.5T`,
// `10GiB`). Units are powers of 1024, as in Proxmox and ZFS.
import { UsageError } from '../errors';

const UNITS: Record<string, number> = { '': 1, B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };

export function parseSize(label: string, value: unknown): number {
  const text = String(value ?? '').trim();
  const m = /^(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:I?B)?$/i.exec(text);
  if (!m) throw new UsageError(`${label}: expected a size such as 10G, 512M or a number of bytes, got ${JSON.stringify(text)}`);
  const bytes = Number(m[1]) * UNITS[m[2].toUpperCase()];
  if (!Number.isSafeInteger(bytes)) {
    throw new UsageError(`${label}: ${text} is not a whole number of bytes or is too large`);
  }
  return bytes;
}
