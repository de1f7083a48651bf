// Names of file content on the array (docs/NAS.md): NAS volumes are datasets named as given
// (validated), NAS snapshots s_/sh_ like volume snapshots, or sp_ when taken for one Proxmox
// volume; a published snapshot's clone and share carry the snapshot's physical name. Export
// paths are /Pools/<pool>/<dataset>. NFS access rules are addresses or networks (CIDR).
import { isIP } from 'node:net';
import { UsageError } from '../../errors';
import { b32decode, b32encode, checkSnapshotName, sanitize } from '../arrayNames';

const NAS_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** A NAS volume (dataset) name, used as given; anything else is exit 2 before any request. */
export function checkNasVolumeName(name: string, label = 'NAS volume name'): string {
  if (typeof name !== 'string' || !NAS_NAME.test(name)) {
    throw new UsageError(
      `${label} ${JSON.stringify(name)} is not valid: use 1-128 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit`,
    );
  }
  return name;
}

/**
 * A share name: letters, digits, '.', '_', ':' and '-' (what the appliance accepts), so shares
 * made by other tools can be read and deleted too; jdssc's own shares are named after datasets.
 */
export function checkShareName(name: string): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,254}$/.test(name)) {
    throw new UsageError(
      `share name ${JSON.stringify(name)} is not valid: use 1-255 characters of A-Z, a-z, 0-9, '.', '_', ':' and '-', starting with a letter or digit`,
    );
  }
  return name;
}

/** The Proxmox volume a snapshot is tagged with (`--proxmox-volume`): any non-empty text without control characters. */
export function checkProxmoxVolume(pv: string): string {
  if (pv === '' || /[\x00-\x1f\x7f]/.test(pv) || pv !== pv.trim() || Buffer.byteLength(pv) > 120) {
    throw new UsageError(
      `--proxmox-volume ${JSON.stringify(pv)} is not valid: it must be 1-120 bytes, without control characters or surrounding spaces`,
    );
  }
  return pv;
}

/** ZFS limits `<pool>/<dataset>@<snapshot>` to 255 bytes. */
const MAX_FULL_NAME = 255;

/**
 * The physical name of a NAS snapshot: `s_<sid>` / `sh_<san>_<B32>` (checkSnapshotName), or
 * `sp_<san(pv)>_<san(sid)>_<B32(pv)>_<B32(sid)>_<B32(dataset)>` for one Proxmox volume's snapshot.
 */
export function nasSnapshotPhysical(pool: string, dataset: string, sid: string, proxmoxVolume?: string): string {
  const plain = checkSnapshotName(sid);
  const physical =
    proxmoxVolume === undefined
      ? plain
      : `sp_${sanitize(checkProxmoxVolume(proxmoxVolume))}_${sanitize(sid)}_${b32encode(proxmoxVolume)}_${b32encode(sid)}_${b32encode(dataset)}`;
  if (Buffer.byteLength(`${pool}/${dataset}@${physical}`) > MAX_FULL_NAME) {
    throw new UsageError(
      `snapshot name ${JSON.stringify(sid)} is too long for JovianDSS (its encoded form exceeds ${MAX_FULL_NAME} bytes)`,
    );
  }
  return physical;
}

export interface ParsedNasSnapshot {
  kind: 'user' | 'proxmox' | 'foreign';
  /** The snapshot id as the user gave it (the physical name for foreign ones). */
  name: string;
  proxmoxVolume: string | null;
  /** The dataset an sp_ name was taken on. */
  dataset: string | null;
}

export function parseNasSnapshotName(physical: string): ParsedNasSnapshot {
  const parts = physical.split('_');
  const foreign: ParsedNasSnapshot = { kind: 'foreign', name: physical, proxmoxVolume: null, dataset: null };
  if (parts[0] === 's' && parts.length > 1 && physical.length > 2) return { ...foreign, kind: 'user', name: physical.slice(2) };
  if (parts[0] === 'sh' && parts.length >= 3) {
    const sid = b32decode(parts[parts.length - 1]);
    return sid === undefined ? foreign : { ...foreign, kind: 'user', name: sid };
  }
  if (parts[0] === 'sp' && parts.length >= 6) {
    const [pv, sid, ds] = parts.slice(-3).map(b32decode);
    if (pv !== undefined && sid !== undefined && ds !== undefined) return { kind: 'proxmox', name: sid, proxmoxVolume: pv, dataset: ds };
  }
  return foreign;
}

/** Whether a name has the shape of a NAS snapshot's physical name (so also of a published clone or its share). */
export function isNasSnapshotName(name: string): boolean {
  return parseNasSnapshotName(name).kind !== 'foreign';
}

export function exportPathOf(pool: string, dataset: string): string {
  return `/Pools/${pool}/${dataset}`;
}

/** `/Pools/<pool>/<dataset>` → its parts; exit 2 for anything else (e.g. a nested path). */
export function parseExportPath(path: string): { pool: string; nasVolume: string } {
  const m = /^\/Pools\/([^/\s]+)\/([^/\s]+)\/?$/.exec(path);
  if (!m) throw new UsageError(`export ${JSON.stringify(path)} is not valid: expected /Pools/<pool>/<nas-volume>`);
  return { pool: m[1], nasVolume: m[2] };
}

/**
 * One NFS access rule: an IPv4 or IPv6 address, optionally with a prefix length (`10.0.0.0/24`,
 * `fd00::/64`). Returned as given, so the share shows what the admin wrote.
 */
export function checkAccessRule(rule: string, label = '--allow'): string {
  const text = String(rule ?? '').trim();
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text);
  const family = m ? isIP(m[1]) : 0;
  const max = family === 4 ? 32 : 128;
  if (!m || family === 0 || (m[2] !== undefined && Number(m[2]) > max)) {
    throw new UsageError(
      `${label}: expected an IPv4 or IPv6 address, optionally with /PREFIX (e.g. 10.0.0.0/24), got ${JSON.stringify(rule)}`,
    );
  }
  return m[2] === undefined ? m[1] : `${m[1]}/${Number(m[2])}`;
}

export function checkAccessRules(rules: readonly string[] | undefined, label = '--allow'): string[] {
  const out = (rules ?? []).map((r) => checkAccessRule(r, label));
  return [...new Set(out)];
}
