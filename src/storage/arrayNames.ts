// Proxmox names ↔ names on the array, exactly as upstream jdssc writes them (the table below), so
// a cluster can switch tools and keep every disk, snapshot and export clone.
//
//   volume      v_<name>                               name matches [-\w]+ (Unicode \w)
//               vh_<sanitized>_<B32(name)>             any other name
//               vb_<B32(name)>                         legacy, decode only
//   snapshot    s_<sid> | sh_<sanitized>_<B32(sid)>    sb_<B32(sid)>[_<B32(vid)>] legacy
//   export      se_<sid>_<B32(vid)> | shv_<san>_<B32(sid)>_<B32(vid)>   (vid = logical volume)
//   clone snap  the clone's own physical volume name, taken on the source volume
//   hidden      t_...                                  never listed
// B32 is RFC 4648 base32 of the UTF-8 bytes with '=' written as '-'.
import { UsageError } from '../errors';

const B32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function b32encode(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32_ALPHABET[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '-';
  return out;
}

export function b32decode(encoded: string): string | undefined {
  const body = encoded.replace(/-+$/, '');
  if (!/^[A-Z2-7]*$/.test(body) || encoded.length % 8 !== 0) return undefined;
  const bytes: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of body) {
    value = (value << 5) | B32_ALPHABET.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  const text = Buffer.from(bytes).toString('utf8');
  return b32encode(text) === encoded ? text : undefined;
}

/** Python's `^[-\w]+$` with Unicode \w (letters, numbers, underscore). */
export function isSimple(name: string): boolean {
  return /^[-\p{L}\p{N}_]+$/u.test(name);
}

export function sanitize(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/gu, '_');
}

export function volumePhysical(logical: string): string {
  return isSimple(logical) ? `v_${logical}` : `vh_${sanitize(logical)}_${b32encode(logical)}`;
}

/** The logical name of a volume-type physical name, or undefined for anything else. */
export function volumeLogical(physical: string): string | undefined {
  if (physical.startsWith('vh_')) return b32decode(physical.slice(physical.lastIndexOf('_') + 1));
  if (physical.startsWith('vb_')) return b32decode(physical.slice(3));
  if (physical.startsWith('v_')) return physical.slice(2) || undefined;
  return undefined;
}

export function snapshotPhysical(sid: string): string {
  return isSimple(sid) ? `s_${sid}` : `sh_${sanitize(sid)}_${b32encode(sid)}`;
}

/** The writable clone through which a snapshot is exported over iSCSI. */
export function exportClonePhysical(sid: string, volumeLogicalName: string): string {
  const vid = b32encode(volumeLogicalName);
  return isSimple(sid) ? `se_${sid}_${vid}` : `shv_${sanitize(sid)}_${b32encode(sid)}_${vid}`;
}

export type SnapshotKind = 'user' | 'export' | 'clone-source' | 'foreign';

export interface ParsedSnapshot {
  kind: SnapshotKind;
  /** Logical snapshot name (for clone sources: the clone's logical volume name). */
  name: string;
  /** Logical volume the name encodes (export clones and legacy sb_ names). */
  volume?: string;
}

/** Classify a physical snapshot (or export clone) name. Unknown shapes are 'foreign'. */
export function parseSnapshotName(physical: string): ParsedSnapshot {
  const parts = physical.split('_');
  const last = parts[parts.length - 1];
  const decoded = (s: string | undefined) => (s === undefined ? undefined : b32decode(s));
  switch (parts[0]) {
    case 's':
    case 'sn':
    case 'autosnap':
      if (parts.length > 1 && parts.slice(1).join('_') !== '') return { kind: 'user', name: parts.slice(1).join('_') };
      break;
    case 'sh': {
      const sid = decoded(last);
      if (parts.length >= 3 && sid !== undefined) return { kind: 'user', name: sid };
      break;
    }
    case 'sb': {
      const sid = decoded(parts[1]);
      if (sid !== undefined) return { kind: 'user', name: sid, volume: decoded(parts[2]) };
      break;
    }
    case 'se': {
      const vol = decoded(last);
      if (parts.length >= 3 && vol !== undefined) return { kind: 'export', name: parts.slice(1, -1).join('_'), volume: vol };
      break;
    }
    case 'shv': {
      const sid = decoded(parts[parts.length - 2]);
      const vol = decoded(last);
      if (parts.length >= 4 && sid !== undefined && vol !== undefined) return { kind: 'export', name: sid, volume: vol };
      break;
    }
    default: {
      const vol = volumeLogical(physical);
      if (vol !== undefined) return { kind: 'clone-source', name: vol };
    }
  }
  return { kind: 'foreign', name: physical };
}

export function isExportCloneName(physical: string): boolean {
  return physical.startsWith('se_') || physical.startsWith('shv_');
}

export function isHiddenName(physical: string): boolean {
  return physical.startsWith('t_');
}

/** ZFS limits a dataset name to 255 bytes including the pool and '/'. */
const MAX_DATASET = 255;

/** Check a logical volume name from the user; returns its physical name. */
export function checkVolumeName(logical: string, pool: string, label = 'volume name'): string {
  if (logical === '' || /[/\x00-\x1f\x7f]/.test(logical) || logical !== logical.trim()) {
    throw new UsageError(
      `${label} ${JSON.stringify(logical)} is not valid: it must be non-empty, without '/', control characters or surrounding spaces`,
    );
  }
  const physical = volumePhysical(logical);
  if (Buffer.byteLength(`${pool}/${physical}`) > MAX_DATASET) {
    throw new UsageError(`${label} ${JSON.stringify(logical)} is too long for JovianDSS (its encoded form exceeds ${MAX_DATASET} bytes)`);
  }
  return physical;
}

export function checkSnapshotName(sid: string, label = 'snapshot name'): string {
  if (sid === '' || /[/@\x00-\x1f\x7f]/.test(sid) || sid !== sid.trim() || Buffer.byteLength(sid) > 120) {
    throw new UsageError(
      `${label} ${JSON.stringify(sid)} is not valid: it must be 1-120 bytes, without '/', '@', control characters or surrounding spaces`,
    );
  }
  return snapshotPhysical(sid);
}

/** Proxmox name → logical name on this cluster (cluster prefix applied). */
export function withClusterPrefix(name: string, prefix?: string): string {
  return prefix ? `${prefix}_${name}` : name;
}

/** Logical name → Proxmox name, or undefined when it belongs to another cluster prefix. */
export function withoutClusterPrefix(logical: string, prefix?: string): string | undefined {
  if (!prefix) return logical;
  return logical.startsWith(`${prefix}_`) ? logical.slice(prefix.length + 1) : undefined;
}

/** VM id of `vm-<id>-…` / `base-<id>-…` names (after the cluster prefix is removed). */
export function vmidOf(name: string): number | undefined {
  const m = /^(?:vm|base)-(\d+)-/.exec(name);
  return m ? Number(m[1]) : undefined;
}
