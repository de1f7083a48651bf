// Portals as values: parse, format for iscsiadm, name the udev by-path link, and compare
// exactly. A portal is an IP literal and a port; `10.0.0.2` never matches `10.0.0.20`.
import { isIP } from 'node:net';
import { UsageError } from '../../errors';
import type { Portal } from '../core/types';

export const DEFAULT_ISCSI_PORT = 3260;

function normalAddress(address: string): string {
  const bare = address.trim().replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) === 6 ? bare.toLowerCase() : bare;
}

/** Validate and normalise; hostnames are refused (sessions are reported by IP, so they could never match). */
export function portal(address: string, port: number = DEFAULT_ISCSI_PORT): Portal {
  const a = normalAddress(address);
  if (!isIP(a)) throw new UsageError(`iSCSI portal address must be an IP address, got '${address}'`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`iSCSI portal port out of range: ${port}`);
  return { address: a, port };
}

/** `127.0.0.2:3260`, `[fe80::1]:3260`, or a bare address (default port). */
export function parsePortal(text: string, defaultPort = DEFAULT_ISCSI_PORT): Portal {
  const s = text.trim();
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) return portal(v6[1], v6[2] ? Number(v6[2]) : defaultPort);
  if (isIP(s) === 6) return portal(s, defaultPort);
  const v4 = /^([^:]+)(?::(\d+))?$/.exec(s);
  if (!v4) throw new UsageError(`cannot parse iSCSI portal '${text}'`);
  return portal(v4[1], v4[2] ? Number(v4[2]) : defaultPort);
}

/** The `-p` argument of iscsiadm. */
export function formatPortal(p: Portal): string {
  return isIP(p.address) === 6 ? `[${p.address}]:${p.port}` : `${p.address}:${p.port}`;
}

export function samePortal(a: Portal, b: Portal): boolean {
  return a.port === b.port && normalAddress(a.address) === normalAddress(b.address);
}

/** IQNs are case-insensitive (RFC 3720 normalises them to lower case). */
export function sameTarget(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * udev's by-path name for an iSCSI LUN (path_id: `ip-<addr>:<port>-iscsi-<iqn>-lun-<lun>`).
 * LUNs are limited to 0-255 on the host side (peripheral addressing: the kernel LUN number,
 * the sysfs scan argument and the by-path suffix are then all the same number).
 */
export function byPathName(p: Portal, target: string, lun: number): string {
  return `ip-${p.address}:${p.port}-iscsi-${target}-lun-${lun}`;
}

export const MAX_HOST_LUN = 255;

export function uniquePortals(list: Portal[]): Portal[] {
  const out: Portal[] = [];
  for (const p of list) if (!out.some((q) => samePortal(p, q))) out.push(p);
  return out;
}
