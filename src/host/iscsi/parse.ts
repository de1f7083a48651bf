// Parsers for iscsiadm's text output. Pure functions, tested against recorded real output.
import { parsePortal } from './portal';
import type { Portal } from '../core/types';

export interface Session {
  transport: string;
  sid: number;
  portal: Portal;
  tpgt: number;
  target: string;
  /** `non-flash` on every software initiator session. */
  flags?: string;
}

// tcp: [3] 127.0.0.2:3260,1 iqn.2025-04.proxmox.joviandss.iscsi:vm-100-0 (non-flash)
// tcp: [4] [fd00::2]:3260,1 iqn… (non-flash)
const SESSION_LINE = /^(\S+):\s+\[(\d+)\]\s+(\[[^\]]+\]:\d+|[^\s,]+),(-?\d+)\s+(\S+)(?:\s+\(([^)]*)\))?\s*$/;

/** `iscsiadm -m session`. Lines that are not session lines (daemon noise) are skipped. */
export function parseSessions(stdout: string): Session[] {
  const out: Session[] = [];
  for (const line of stdout.split('\n')) {
    const m = SESSION_LINE.exec(line.trim());
    if (!m) continue;
    let p: Portal;
    try {
      p = parsePortal(m[3]);
    } catch {
      continue; // not an IP portal (cannot be one of ours)
    }
    out.push({ transport: m[1], sid: Number(m[2]), portal: p, tpgt: Number(m[4]), target: m[5], flags: m[6] });
  }
  return out;
}

export interface AttachedDisk {
  host: number;
  channel: number;
  id: number;
  lun: number;
  /** Kernel block device name (`sdb`), absent for LUNs without a disk (e.g. a controller LUN 0). */
  disk?: string;
  state?: string;
}

export interface SessionDetails {
  target: string;
  sid: number;
  portal?: Portal;
  sessionState?: string;
  connectionState?: string;
  hostNumber?: number;
  disks: AttachedDisk[];
}

/** `iscsiadm -m session -P 3`: one entry per session with its SCSI host and attached disks. */
export function parseSessionDetails(stdout: string): SessionDetails[] {
  const out: SessionDetails[] = [];
  let target: string | undefined;
  let portal: Portal | undefined;
  let cur: SessionDetails | undefined;
  let lastDisk: AttachedDisk | undefined;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Target:\s+(\S+)/.exec(line))) {
      target = m[1];
      portal = undefined;
      cur = undefined;
    } else if ((m = /^Current Portal:\s+(\S+?),(-?\d+)/.exec(line))) {
      try {
        portal = parsePortal(m[1]);
      } catch {
        portal = undefined;
      }
    } else if ((m = /^SID:\s+(\d+)/.exec(line)) && target) {
      cur = { target, sid: Number(m[1]), portal, disks: [] };
      lastDisk = undefined;
      out.push(cur);
    } else if (!cur) {
      continue;
    } else if ((m = /^iSCSI Session State:\s+(\S+)/.exec(line))) {
      cur.sessionState = m[1];
    } else if ((m = /^iSCSI Connection State:\s+(.+)$/.exec(line))) {
      cur.connectionState = m[1].trim();
    } else if ((m = /^Host Number:\s+(\d+)/.exec(line))) {
      cur.hostNumber = Number(m[1]);
    } else if ((m = /^scsi(\d+)\s+Channel\s+(\d+)\s+Id\s+(\d+)\s+Lun:\s+(\d+)/.exec(line))) {
      lastDisk = { host: Number(m[1]), channel: Number(m[2]), id: Number(m[3]), lun: Number(m[4]) };
      cur.disks.push(lastDisk);
    } else if ((m = /^Attached scsi disk\s+(\S+)(?:\s+State:\s+(\S+))?/.exec(line)) && lastDisk) {
      lastDisk.disk = m[1];
      lastDisk.state = m[2];
    }
  }
  return out;
}

/** `iscsiadm -m node -T … -p … -o show`: `key = value` lines (secrets print as ********). */
export function parseNodeRecord(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^([A-Za-z0-9_.[\]]+)\s*=\s*(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}

/** The `InitiatorName=` of an /etc/iscsi/initiatorname.iscsi text (comments and blanks around it). */
export function parseInitiatorName(text: string): string | undefined {
  return /^InitiatorName=(\S+)\s*$/m.exec(text)?.[1];
}
