// Device discovery from /dev and sysfs under the injected roots: the udev links of a LUN
// (by-path per portal, by-id per WWID, /dev/mapper per map), kernel names, sizes, holders,
// and the per-device rescan / delete control files. No process is started here.
import { basename, dirname, join } from 'node:path';
import { byPathName } from '../iscsi/portal';
import { exists, listDir, readInt, readText, realpath, writeControl } from '../core/sysfs';
import type { HostEnv, Portal } from '../core/types';

type Env = Pick<HostEnv, 'roots'>;

export function byPathLink(env: Env, p: Portal, target: string, lun: number): string {
  return join(env.roots.dev, 'disk', 'by-path', byPathName(p, target, lun));
}

export function byIdLink(env: Env, wwid: string): string {
  return join(env.roots.dev, 'disk', 'by-id', `scsi-${wwid}`);
}

export function mapperLink(env: Env, wwid: string): string {
  return join(env.roots.dev, 'mapper', wwid);
}

/** What the VM uses for a LUN: its multipath map, or the by-id link of its single path. */
export function lunDevice(env: Env, wwid: string, multipath: boolean): string {
  return multipath ? mapperLink(env, wwid) : byIdLink(env, wwid);
}

/** `<sys>/block/<name>`: the sysfs directory of one block device. */
export function blockDir(env: Env, name: string): string {
  return join(env.roots.sys, 'block', name);
}

/** Kernel name (`sdb`, `dm-0`) a /dev link points to, when it resolves to an existing block device. */
export function resolveBlock(env: Env, link: string): string | null {
  const target = realpath(link);
  const devRoot = realpath(env.roots.dev);
  if (!target || !devRoot || dirname(target) !== devRoot) return null;
  const name = basename(target);
  return exists(blockDir(env, name)) ? name : null;
}

/** Size in bytes from `/sys/block/<name>/size` (512-byte sectors); null when unreadable. */
export function sizeBytes(env: Env, name: string): number | null {
  const sectors = readInt(join(blockDir(env, name), 'size'));
  return sectors === null ? null : sectors * 512;
}

/** Force a READ CAPACITY on one SCSI disk. False when the device is gone. */
export function rescanDevice(env: Env, name: string): boolean {
  return writeControl(join(blockDir(env, name), 'device', 'rescan'), '1');
}

/** Remove one SCSI disk from the kernel. False when it is already gone. */
export function deleteDevice(env: Env, name: string): boolean {
  return writeControl(join(blockDir(env, name), 'device', 'delete'), '1');
}

/** Devices stacked on this one (dm maps, LVM, …). */
export function holders(env: Env, name: string): string[] {
  return listDir(join(blockDir(env, name), 'holders'));
}

/** Devices under a dm map (its paths). */
export function slaves(env: Env, name: string): string[] {
  return listDir(join(blockDir(env, name), 'slaves'));
}

export function dmNameOf(env: Env, dm: string): string | null {
  return readText(join(blockDir(env, dm), 'dm', 'name'));
}

/** The dm-N node of the map named `wwid`: via /dev/mapper, else by scanning dm names in sysfs. */
export function mapDevice(env: Env, wwid: string): string | null {
  const viaLink = resolveBlock(env, mapperLink(env, wwid));
  if (viaLink && dmNameOf(env, viaLink) === wwid) return viaLink;
  for (const name of listDir(join(env.roots.sys, 'block'))) {
    if (name.startsWith('dm-') && dmNameOf(env, name) === wwid) return name;
  }
  return null;
}

export interface ScsiAddress {
  host: number;
  channel: number;
  id: number;
  lun: number;
}

/** H:C:I:L of a SCSI disk, from the name of its `device` link. */
export function scsiAddress(env: Env, name: string): ScsiAddress | null {
  const dev = realpath(join(blockDir(env, name), 'device'));
  const m = dev ? /^(\d+):(\d+):(\d+):(\d+)$/.exec(basename(dev)) : null;
  return m ? { host: Number(m[1]), channel: Number(m[2]), id: Number(m[3]), lun: Number(m[4]) } : null;
}
