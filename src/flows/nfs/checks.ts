// Input checks of the nfs commands, all before any request or host change: the export path,
// the mount directory, the addresses to try, the mount options.
import { isAbsolute, normalize } from 'node:path';
import { UsageError } from '../../errors';
import type { NfsExport } from './types';

/** NAS volume names are used as given (docs/NAS.md): lower case, as JovianDSS datasets. */
export const NAS_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const POOL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function parseExport(text: string): NfsExport {
  const m = /^\/Pools\/([^/]+)\/([^/]+)\/?$/.exec(text);
  if (!m) throw new UsageError(`--export ${JSON.stringify(text)}: expected /Pools/<pool>/<nas-volume>`);
  const [, pool, dataset] = m;
  if (!POOL_NAME.test(pool)) throw new UsageError(`--export ${text}: ${JSON.stringify(pool)} is not a pool name`);
  if (!NAS_NAME.test(dataset))
    throw new UsageError(`--export ${text}: NAS volume name ${JSON.stringify(dataset)} must match ${NAS_NAME.source}`);
  return { path: `/Pools/${pool}/${dataset}`, pool, dataset };
}

/** An absolute, normalised directory path, never `/` and without `..` or odd characters. */
export function checkMountPath(path: string): string {
  if (!isAbsolute(path)) throw new UsageError(`--path ${JSON.stringify(path)}: must be an absolute path`);
  const p = normalize(path).replace(/\/+$/, '');
  if (p === '' || p === '/') throw new UsageError('--path /: refusing to mount over the root directory');
  if (path.split('/').includes('..')) throw new UsageError(`--path ${path}: must not contain ..`);
  if (/[\s\x00-\x1f\\]/.test(p))
    throw new UsageError(`--path ${JSON.stringify(path)}: whitespace, control characters and backslashes are not allowed`);
  return p;
}

const ADDRESS = /^(?:[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:.]+\]?)$/;

/** `--server` first, then the data addresses in order, each once; brackets of IPv6 literals dropped. */
export function candidateAddresses(server: string | undefined, dataAddresses: string[]): string[] {
  const out: string[] = [];
  for (const raw of [...(server !== undefined ? [server] : []), ...dataAddresses]) {
    const a = raw.trim().replace(/^\[(.*)\]$/, '$1');
    if (!a || !ADDRESS.test(raw.trim())) throw new UsageError(`NFS server address ${JSON.stringify(raw)} is not an address or host name`);
    if (!out.some((x) => x.toLowerCase() === a.toLowerCase())) out.push(a);
  }
  if (!out.length) throw new UsageError('no NFS server: give --server or data addresses (data_addresses)');
  return out;
}

/** mount -o list: comma-separated words, no spaces (never a way to smuggle another argument). */
export function checkMountOptions(options: string | undefined): string | undefined {
  if (options === undefined || options === '') return undefined;
  if (!/^[A-Za-z0-9_.=:,/+-]+$/.test(options))
    throw new UsageError(`--options ${JSON.stringify(options)}: comma-separated mount options only (letters, digits, _ . = : / + -)`);
  return options;
}
