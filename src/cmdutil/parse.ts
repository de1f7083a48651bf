// Option parsing shared by volume commands; every bad value becomes a usage error (exit 2)
// before any request is sent.
import { UsageError, ConfigError } from '../errors';
import { parseBlockSize, type BlockSize } from '../config';
import { parseSize } from '../util/size';

export function sizeOption(label: string, value: unknown): number {
  // `-1G` and `+1G` read as a change of size, which is --grow-by's job; a size is what to have.
  if (typeof value === 'string' && /^\s*[-+]/.test(value))
    throw new UsageError(`${label}: expected a size such as 10G, 512M or a number of bytes, without a sign; got ${JSON.stringify(value)}`);
  if (typeof value === 'number' && value < 0) throw new UsageError(`${label}: expected a size without a sign, got ${value}`);
  const n = parseSize(label, value);
  if (n <= 0) throw new UsageError(`${label}: must be more than 0 bytes`);
  return n;
}

export function blockSizeOption(value: unknown): BlockSize | undefined {
  if (value === undefined) return undefined;
  try {
    return parseBlockSize('--block-size', value);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

export function provisioningOption(args: { thin?: boolean; thick?: boolean }): boolean | undefined {
  if (args.thin && args.thick) throw new UsageError('--thin and --thick cannot be used together');
  if (args.thin) return true;
  if (args.thick) return false;
  return undefined;
}

export function vmidOption(value: unknown): number {
  const text = String(value ?? '');
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 999999999)
    throw new UsageError(`--vmid: expected a VM id (a positive integer), got ${JSON.stringify(text)}`);
  return Number(text);
}
