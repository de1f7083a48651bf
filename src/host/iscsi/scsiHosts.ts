// iSCSI sessions as sysfs sees them: the SCSI host behind a session (for a targeted
// `- - <lun>` scan), the disks a session carries, and its state. Layout (real kernel):
//   /sys/class/iscsi_session/session3 -> ../../devices/platform/host4/session3/iscsi_session/session3
//   …/session3/device -> ../../../session3    (…/platform/host4/session3)
//   …/host4/session3/target4:0:0/4:0:0:1/block/sdb
import { join } from 'node:path';
import { listDir, readText, realpath, writeControl } from '../core/sysfs';
import type { HostEnv } from '../core/types';

type Env = Pick<HostEnv, 'roots'>;

function sessionDir(env: Env, sid: number): string {
  return join(env.roots.sys, 'class', 'iscsi_session', `session${sid}`);
}

/** The SCSI host number of an iSCSI session, or null when sysfs does not show one. */
export function sessionHost(env: Env, sid: number): number | null {
  const dev = realpath(join(sessionDir(env, sid), 'device'));
  if (dev) {
    const parts = dev.split('/');
    for (let i = parts.length - 1; i >= 0; i--) {
      const m = /^host(\d+)$/.exec(parts[i]);
      if (m) return Number(m[1]);
    }
    for (const t of listDir(dev)) {
      const m = /^target(\d+):\d+:\d+$/.exec(t);
      if (m) return Number(m[1]);
    }
  }
  return null;
}

export interface SessionDisk {
  host: number;
  channel: number;
  id: number;
  lun: number;
  /** Block device name, absent for LUNs that are not disks. */
  name?: string;
}

/** Every SCSI device of a session, with its block device when it has one. */
export function sessionDisks(env: Env, sid: number): SessionDisk[] {
  const dev = realpath(join(sessionDir(env, sid), 'device'));
  if (!dev) return [];
  const out: SessionDisk[] = [];
  for (const t of listDir(dev).filter((n) => n.startsWith('target'))) {
    for (const hctl of listDir(join(dev, t))) {
      const m = /^(\d+):(\d+):(\d+):(\d+)$/.exec(hctl);
      if (!m) continue;
      const block = listDir(join(dev, t, hctl, 'block'));
      out.push({ host: Number(m[1]), channel: Number(m[2]), id: Number(m[3]), lun: Number(m[4]), name: block[0] });
    }
  }
  return out;
}

export function sessionState(env: Env, sid: number): string | null {
  return readText(join(sessionDir(env, sid), 'state'));
}

export function sessionTarget(env: Env, sid: number): string | null {
  return readText(join(sessionDir(env, sid), 'targetname'));
}

/** Ask one SCSI host to probe one LUN on every channel/id (`- - <lun>`). */
export function scanHostLun(env: Env, host: number, lun: number): boolean {
  return writeControl(join(env.roots.sys, 'class', 'scsi_host', `host${host}`, 'scan'), `- - ${lun}`);
}
