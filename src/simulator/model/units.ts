// Sizes and block sizes as the appliance accepts them: bytes (number or numeric string) or
// unit strings ("1G", "512M", "16K"; binary multiples, optional "B"/"iB" suffix).
import { errors } from '../api/errors';

const UNITS: Record<string, number> = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50 };
const UNIT_PATTERN = /^(\d+(?:\.\d+)?)\s*([KMGTP])(?:i?B)?$/i;

export const ALLOWED_BLOCK_SIZES = [4, 8, 16, 32, 64, 128, 256, 512, 1024].map((k) => k * 1024);
export const DEFAULT_BLOCK_SIZE = 16 * 1024;

function parseBytes(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  const m = UNIT_PATTERN.exec(text);
  if (!m) return undefined;
  const bytes = Number(m[1]) * UNITS[m[2].toUpperCase()];
  // "1.5G" is fine, "1.0000001K" is not a whole number of bytes.
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Volume size in bytes; positive. */
export function parseSize(value: unknown, field = 'size'): number {
  const bytes = parseBytes(value);
  if (bytes === undefined || bytes <= 0) throw errors.validation(`Invalid value of '${field}': ${JSON.stringify(value)}.`);
  return bytes;
}

/** A size that may be 0 (a NAS volume's reservation). */
export function parseNonNegativeSize(value: unknown, field: string): number {
  const bytes = parseBytes(value);
  if (bytes === undefined || bytes < 0) throw errors.validation(`Invalid value of '${field}': ${JSON.stringify(value)}.`);
  return bytes;
}

/** volblocksize in bytes; one of 4K…1M (powers of two). */
export function parseBlockSize(value: unknown): number {
  const bytes = parseBytes(value);
  if (bytes === undefined || !ALLOWED_BLOCK_SIZES.includes(bytes)) {
    throw errors.validation(
      `Invalid value of 'blocksize': ${JSON.stringify(value)}. Allowed: 4K, 8K, 16K, 32K, 64K, 128K, 256K, 512K, 1M.`,
    );
  }
  return bytes;
}
