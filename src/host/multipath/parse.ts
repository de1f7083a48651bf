// Parsers for `multipath -ll <wwid>` and `dmsetup status <wwid>` output. Pure functions.

export interface MultipathPath {
  /** host:channel:id:lun, `#:#:#:#` when the device is gone. */
  hctl: string;
  device: string;
  majMin: string;
  /** device-mapper's view: active / failed. */
  dmState: string;
  /** path checker: ready / ghost / faulty / shaky / i/o pending … */
  checkerState: string;
  /** SCSI device state: running / offline … */
  onlineState: string;
}

export interface MultipathMap {
  name: string;
  wwid: string;
  dm: string;
  vendorProduct?: string;
  size?: string;
  paths: MultipathPath[];
}

// `26562313537303732 dm-1 IET,VIRTUAL-DISK` or `mpatha (3600a0b8…) dm-0 EXAMPLE,ARRAY`
const HEADER = /^(?:(?:create|reload|switchpg):\s+)?(\S+)(?:\s+\((\S+)\))?\s+(dm-\d+)(?:\s+(.*))?$/;
// `| `- 1:0:0:1 sda 8:0  active ready running`
const PATH = /([#\d]+:[#\d]+:[#\d]+:[#\d]+)\s+(\S+)\s+([#\d]+:[#\d]+)\s+(\S+)\s+(i\/o \S+|\S+)\s+(\S+)/;

export function parseMultipathLl(stdout: string): MultipathMap[] {
  const maps: MultipathMap[] = [];
  let cur: MultipathMap | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    if (!line) continue;
    const h = /^[^\s|`]/.test(line) ? HEADER.exec(line) : null;
    if (h && !line.startsWith('size=')) {
      cur = { name: h[1], wwid: h[2] ?? h[1], dm: h[3], vendorProduct: h[4]?.trim(), paths: [] };
      maps.push(cur);
      continue;
    }
    if (!cur) continue;
    const size = /^size=(\S+)/.exec(line);
    if (size) {
      cur.size = size[1];
      continue;
    }
    if (/policy=/.test(line)) continue;
    const p = PATH.exec(line);
    if (p) cur.paths.push({ hctl: p[1], device: p[2], majMin: p[3], dmState: p[4], checkerState: p[5], onlineState: p[6] });
  }
  return maps;
}

export function activePaths(map: MultipathMap): MultipathPath[] {
  return map.paths.filter((p) => p.dmState === 'active' && p.device !== '-' && p.checkerState !== 'faulty');
}

export interface DmPathStatus {
  majMin: string;
  active: boolean;
}

export interface DmMultipathStatus {
  /** Length in 512-byte sectors (sum over table lines). */
  sectors: number;
  paths: DmPathStatus[];
}

/**
 * `dmsetup status <name>` of a multipath target, e.g.
 * `0 2097152 multipath 2 0 0 0 2 1 A 0 1 2 8:0 A 0 0 1 E 0 1 2 8:16 A 0 0 1`.
 * Returns null when the output is not a multipath table.
 */
export function parseDmStatus(stdout: string): DmMultipathStatus | null {
  let sectors = 0;
  const paths: DmPathStatus[] = [];
  let seen = false;
  for (const line of stdout.split('\n')) {
    const t = line.trim().split(/\s+/);
    if (t.length < 3 || t[2] !== 'multipath') continue;
    seen = true;
    sectors += Number(t[1]) || 0;
    for (let i = 3; i < t.length - 1; i++) {
      if (/^\d+:\d+$/.test(t[i]) && (t[i + 1] === 'A' || t[i + 1] === 'F')) {
        paths.push({ majMin: t[i], active: t[i + 1] === 'A' });
        i++;
      }
    }
  }
  return seen ? { sectors, paths } : null;
}
