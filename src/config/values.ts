// Parsers for configuration values. Each takes the raw value (from YAML, a flag or the
// environment) and returns the typed value or throws a ConfigError naming the key.
import { isIP } from 'node:net';
import { ConfigError } from '../errors';

export const BLOCK_SIZES = ['4K', '8K', '16K', '32K', '64K', '128K', '256K', '512K', '1M'] as const;
export type BlockSize = (typeof BLOCK_SIZES)[number];
export const LOG_LEVELS = ['critical', 'error', 'warning', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const TRUE_WORDS = new Set(['true', 'yes', 'y', 't', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'f', '0', 'off']);

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

export function parseBool(key: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number' && (value === 0 || value === 1)) return value === 1;
  if (typeof value === 'string') {
    const w = value.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  throw new ConfigError(`${key}: expected true or false, got ${describe(value)}`, key);
}

export function parseInteger(key: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${key}: expected an integer from ${min} to ${max}, got ${describe(value)}`, key);
  }
  return n;
}

export function parseString(key: string, value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number') return String(value);
  throw new ConfigError(`${key}: expected a non-empty string, got ${describe(value)}`, key);
}

/** A YAML list or a comma-separated string of literal IP addresses (hostnames are refused). */
export function parseAddressList(key: string, value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : null;
  if (!items) throw new ConfigError(`${key}: expected a list of IP addresses, got ${describe(value)}`, key);
  const out: string[] = [];
  for (const raw of items) {
    const addr = String(raw).trim();
    if (addr === '') continue;
    if (isIP(addr) === 0) {
      throw new ConfigError(`${key}: ${describe(addr)} is not an IP address (hostnames are not accepted)`, key);
    }
    if (!out.includes(addr)) out.push(addr);
  }
  if (out.length === 0) throw new ConfigError(`${key}: the list of addresses is empty`, key);
  return out;
}

export function parseBlockSize(key: string, value: unknown): BlockSize {
  let text = typeof value === 'number' ? bytesToBlockSize(value) : typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (/^\d+$/.test(text)) text = bytesToBlockSize(Number(text));
  if (text.endsWith('B')) text = text.slice(0, -1);
  if (text.endsWith('I')) text = text.slice(0, -1); // "16KiB" → "16K"
  if (text === '1024K') text = '1M';
  if ((BLOCK_SIZES as readonly string[]).includes(text)) return text as BlockSize;
  throw new ConfigError(`${key}: block size must be one of ${BLOCK_SIZES.join(', ')}, got ${describe(value)}`, key);
}

function bytesToBlockSize(n: number): string {
  if (n >= 1048576 && n % 1048576 === 0) return `${n / 1048576}M`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024}K`;
  return String(n);
}

export function blockSizeBytes(bs: BlockSize): number {
  return bs === '1M' ? 1048576 : Number(bs.slice(0, -1)) * 1024;
}

export function parseLogLevel(key: string, value: unknown): LogLevel {
  const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
  const level = text === 'warn' ? 'warning' : text;
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new ConfigError(`${key}: log level must be one of ${LOG_LEVELS.join(', ')}, got ${describe(value)}`, key);
}

/** An iSCSI qualified name prefix such as `iqn.2025-04.proxmox.joviandss.iscsi:`; returned without the trailing colon. */
export function parseTargetPrefix(key: string, value: unknown): string {
  const text = parseString(key, value).replace(/:$/, '');
  if (!/^iqn\.\d{4}-\d{2}\.[a-z0-9][a-z0-9.-]*(:[a-z0-9.\-:]+)?$/.test(text)) {
    throw new ConfigError(
      `${key}: expected an IQN prefix like iqn.2025-04.proxmox.joviandss.iscsi (lower case letters, digits, '.', '-', ':'), got ${describe(value)}`,
      key,
    );
  }
  return text;
}

export function parseClusterPrefix(key: string, value: unknown): string {
  const text = parseString(key, value);
  if (!/^[a-zA-Z][a-zA-Z0-9]*$/.test(text)) {
    throw new ConfigError(`${key}: must start with a letter and contain only letters and digits, got ${describe(value)}`, key);
  }
  return text;
}

export function parseChapUser(key: string, value: unknown): string {
  const text = parseString(key, value);
  if (!/^\w([a-zA-Z0-9\-_]*\w)?$/.test(text) || /[^\x00-\x7f]/.test(text)) {
    throw new ConfigError(
      `${key}: CHAP user name may contain only letters, digits, '-' and '_' and must start and end with a letter, digit or '_'`,
      key,
    );
  }
  return text;
}

/** CHAP secrets: 12–255 characters from the appliance's allowed set. The value is never echoed. */
export function checkChapSecret(key: string, secret: string): string {
  if (secret.length < 12 || secret.length > 255 || !/^[a-zA-Z0-9\-_!@%()+?.:;]+$/.test(secret)) {
    throw new ConfigError(`${key}: CHAP secret must be 12 to 255 characters from A-Z a-z 0-9 - _ ! @ % ( ) + ? . : ;`, key);
  }
  return secret;
}

/** Seconds as an integer or decimal; returned in milliseconds. */
export function parseSeconds(key: string, value: unknown, minSeconds: number, maxSeconds: number): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < minSeconds || n > maxSeconds) {
    throw new ConfigError(`${key}: expected a number of seconds from ${minSeconds} to ${maxSeconds}, got ${describe(value)}`, key);
  }
  return Math.round(n * 1000);
}

/** Proxmox storage ids: letters, digits, '-', '_' and '.' (they become directory names). */
export function parseStorageId(key: string, value: unknown): string {
  const text = parseString(key, value);
  if (!/^[A-Za-z][A-Za-z0-9\-_.]*$/.test(text)) {
    throw new ConfigError(
      `${key}: a storage id starts with a letter and contains letters, digits, '-', '_' or '.', got ${JSON.stringify(text)}`,
      key,
    );
  }
  return text;
}
