// The fake kernel + udev + multipathd reactions: sessions, SCSI disks, dm maps, as files and
// symlinks under the fake root laid out like the real /sys and /dev. Also processes writes to
// the sysfs control files (scan, rescan, delete) on every tick.
import * as fs from 'node:fs';
import { dirname, join, relative } from 'node:path';

const p = (state, rel) => join(state.root, rel);

function mkdir(state, rel) {
  fs.mkdirSync(p(state, rel), { recursive: true });
}
function write(state, rel, content) {
  mkdir(state, dirname(rel));
  fs.writeFileSync(p(state, rel), content);
}
function link(state, rel, to) {
  mkdir(state, dirname(rel));
  fs.rmSync(p(state, rel), { force: true });
  fs.symlinkSync(to, p(state, rel));
}
function rm(state, rel) {
  fs.rmSync(p(state, rel), { recursive: true, force: true });
}
function read(state, rel) {
  try {
    return fs.readFileSync(p(state, rel), 'utf8');
  } catch {
    return '';
  }
}
function readLink(state, rel) {
  try {
    return fs.readlinkSync(p(state, rel));
  } catch {
    return null;
  }
}
function relLink(fromRel, toRel) {
  return relative(dirname(`/${fromRel}`), `/${toRel}`);
}

export function portalKey(address, port) {
  return `${address}:${port}`;
}

export function arrayTarget(state, target) {
  return state.array.targets[target] ?? null;
}

function sdName(n) {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(97 + ((i - 1) % 26)) + s;
  return `sd${s}`;
}

function hostDir(h) {
  return `sys/devices/platform/host${h}`;
}

export function addSession(state, target, address, port) {
  const sid = state.next.sid++;
  const host = state.next.host++;
  const s = { sid, host, target, address, port, tpgt: 1 };
  state.sessions.push(s);
  const sdir = `${hostDir(host)}/session${sid}`;
  write(state, `${sdir}/iscsi_session/session${sid}/targetname`, `${target}\n`);
  write(state, `${sdir}/iscsi_session/session${sid}/state`, 'LOGGED_IN\n');
  link(state, `${sdir}/iscsi_session/session${sid}/device`, '../../../session' + sid);
  link(
    state,
    `sys/class/iscsi_session/session${sid}`,
    relLink(`sys/class/iscsi_session/session${sid}`, `${sdir}/iscsi_session/session${sid}`),
  );
  write(state, `${hostDir(host)}/scsi_host/host${host}/scan`, '');
  link(state, `sys/class/scsi_host/host${host}`, relLink(`sys/class/scsi_host/host${host}`, `${hostDir(host)}/scsi_host/host${host}`));
  mkdir(state, `${hostDir(host)}/iscsi_host/host${host}`);
  link(state, `sys/class/iscsi_host/host${host}`, relLink(`sys/class/iscsi_host/host${host}`, `${hostDir(host)}/iscsi_host/host${host}`));
  mkdir(state, `${sdir}/target${host}:0:0`);
  return s;
}

export function removeSession(state, sid) {
  const s = state.sessions.find((x) => x.sid === sid);
  if (!s) return;
  for (const [name, d] of Object.entries(state.disks)) if (d.sid === sid) removeDisk(state, name);
  rm(state, `sys/class/iscsi_session/session${sid}`);
  rm(state, `sys/class/scsi_host/host${s.host}`);
  rm(state, `sys/class/iscsi_host/host${s.host}`);
  rm(state, hostDir(s.host));
  state.sessions = state.sessions.filter((x) => x.sid !== sid);
}

function sizeOf(state, wwid, lunSize) {
  const z = state.faults.zeroSize?.[wwid];
  return z !== undefined && z !== 0 ? 0 : lunSize;
}

/** The kernel found LUN `lun` on session `s` (login scan, host scan or session rescan). */
export function addDisk(state, s, lun, now) {
  const l = arrayTarget(state, s.target)?.luns?.[lun];
  if (!l) return null;
  if (Object.values(state.disks).some((d) => d.sid === s.sid && d.lun === lun)) return null;
  if ((state.faults.neverAppears ?? []).includes(l.wwid)) return null;
  const delay = state.faults.deviceDelayMs?.[l.wwid];
  if (delay && !state.pending.some((x) => x.sid === s.sid && x.lun === lun)) {
    state.pending.push({ sid: s.sid, lun, due: now + delay });
    return null;
  }
  if (delay && state.pending.some((x) => x.sid === s.sid && x.lun === lun && x.due > now)) return null;
  state.pending = state.pending.filter((x) => !(x.sid === s.sid && x.lun === lun));
  const idx = state.next.sd++;
  const name = sdName(idx);
  const hctl = `${s.host}:0:0:${lun}`;
  const devDir = `${hostDir(s.host)}/session${s.sid}/target${s.host}:0:0/${hctl}`;
  const blockDir = `${devDir}/block/${name}`;
  const size = sizeOf(state, l.wwid, l.sizeBytes);
  for (const f of ['rescan', 'delete']) write(state, `${devDir}/${f}`, '');
  write(state, `${devDir}/state`, 'running\n');
  write(state, `${blockDir}/size`, `${size / 512}\n`);
  mkdir(state, `${blockDir}/holders`);
  link(state, `${blockDir}/device`, `../../../${hctl}`);
  link(state, `sys/block/${name}`, relLink(`sys/block/${name}`, blockDir));
  write(state, `dev/${name}`, '');
  state.disks[name] = {
    sid: s.sid,
    host: s.host,
    lun,
    wwid: l.wwid,
    sizeBytes: size,
    target: s.target,
    address: s.address,
    port: s.port,
    devDir,
    majMin: `8:${idx * 16}`,
  };
  if (!state.faults.noUdevLinks) udevLinks(state, name);
  if (state.wwids.includes(l.wwid) && state.maps[l.wwid]) mapAddPath(state, l.wwid, name);
  return name;
}

export function byPathRel(d) {
  return `dev/disk/by-path/ip-${d.address}:${d.port}-iscsi-${d.target}-lun-${d.lun}`;
}

/** What udev's 60-persistent-storage rules would create for a disk. */
export function udevLinks(state, name) {
  const d = state.disks[name];
  if (!d) return;
  link(state, byPathRel(d), `../../${name}`);
  if (!state.maps[d.wwid]) link(state, `dev/disk/by-id/scsi-${d.wwid}`, `../../${name}`);
}

export function removeDisk(state, name) {
  const d = state.disks[name];
  if (!d) return;
  delete state.disks[name];
  const m = state.maps[d.wwid];
  if (m) {
    m.paths = m.paths.filter((x) => x !== name);
    rm(state, `sys/devices/virtual/block/${m.dm}/slaves/${name}`);
  }
  rm(state, d.devDir);
  rm(state, `sys/block/${name}`);
  rm(state, `dev/${name}`);
  if (readLink(state, byPathRel(d)) === `../../${name}`) rm(state, byPathRel(d));
  repointById(state, d.wwid);
}

function repointById(state, wwid) {
  const m = state.maps[wwid];
  const other = Object.keys(state.disks).find((n) => state.disks[n].wwid === wwid);
  if (m) link(state, `dev/disk/by-id/scsi-${wwid}`, `../../${m.dm}`);
  else if (other && !state.faults.noUdevLinks) link(state, `dev/disk/by-id/scsi-${wwid}`, `../../${other}`);
  else rm(state, `dev/disk/by-id/scsi-${wwid}`);
}

export function refreshSize(state, name) {
  const d = state.disks[name];
  const l = arrayTarget(state, d.target)?.luns?.[d.lun];
  if (!l) return;
  const z = state.faults.zeroSize?.[d.wwid];
  if (z !== undefined && z > 0) state.faults.zeroSize[d.wwid] = z - 1;
  d.sizeBytes = sizeOf(state, d.wwid, l.sizeBytes);
  write(state, `${d.devDir}/block/${name}/size`, `${d.sizeBytes / 512}\n`);
}

/** `iscsiadm -m session -r N --rescan`: every LUN of the target, sizes re-read. */
export function rescanSessionLuns(state, s, now) {
  for (const lun of Object.keys(arrayTarget(state, s.target)?.luns ?? {})) addDisk(state, s, Number(lun), now);
  for (const [name, d] of Object.entries(state.disks)) if (d.sid === s.sid) refreshSize(state, name);
}

export function pathsOf(state, wwid) {
  return Object.keys(state.disks)
    .filter((n) => state.disks[n].wwid === wwid)
    .sort();
}

/** multipathd builds (or completes) the map of a WWID from the disks that carry it. */
export function ensureMap(state, wwid) {
  if ((state.faults.noMap ?? []).includes(wwid)) return null;
  const paths = pathsOf(state, wwid);
  if (!state.maps[wwid]) {
    if (paths.length === 0) return null;
    const dm = `dm-${state.next.dm++}`;
    const size = state.disks[paths[0]].sizeBytes;
    state.maps[wwid] = { dm, paths: [], sizeBytes: size, open: 0 };
    write(state, `sys/devices/virtual/block/${dm}/dm/name`, `${wwid}\n`);
    write(state, `sys/devices/virtual/block/${dm}/size`, `${size / 512}\n`);
    mkdir(state, `sys/devices/virtual/block/${dm}/holders`);
    mkdir(state, `sys/devices/virtual/block/${dm}/slaves`);
    link(state, `sys/block/${dm}`, `../devices/virtual/block/${dm}`);
    write(state, `dev/${dm}`, '');
    link(state, `dev/mapper/${wwid}`, `../${dm}`);
    link(state, `dev/disk/by-id/scsi-${wwid}`, `../../${dm}`);
  }
  for (const n of paths) mapAddPath(state, wwid, n);
  return state.maps[wwid];
}

export function mapAddPath(state, wwid, name) {
  const m = state.maps[wwid];
  if (!m || m.paths.includes(name)) return;
  m.paths.push(name);
  const d = state.disks[name];
  const slave = `sys/devices/virtual/block/${m.dm}/slaves/${name}`;
  link(state, slave, relLink(slave, `${d.devDir}/block/${name}`));
  const holder = `${d.devDir}/block/${name}/holders/${m.dm}`;
  link(state, holder, relLink(holder, `sys/devices/virtual/block/${m.dm}`));
}

export function setMapSize(state, wwid, bytes) {
  const m = state.maps[wwid];
  m.sizeBytes = bytes;
  write(state, `sys/devices/virtual/block/${m.dm}/size`, `${bytes / 512}\n`);
}

export function removeMap(state, wwid) {
  const m = state.maps[wwid];
  if (!m) return;
  for (const n of m.paths) if (state.disks[n]) rm(state, `${state.disks[n].devDir}/block/${n}/holders/${m.dm}`);
  delete state.maps[wwid];
  rm(state, `sys/devices/virtual/block/${m.dm}`);
  rm(state, `sys/block/${m.dm}`);
  rm(state, `dev/${m.dm}`);
  rm(state, `dev/mapper/${wwid}`);
  repointById(state, wwid);
}

/** Time passes: delayed disks appear, and writes to scan / rescan / delete take effect. */
export function tick(state, now) {
  for (const x of [...state.pending]) {
    const s = state.sessions.find((q) => q.sid === x.sid);
    if (!s) state.pending = state.pending.filter((y) => y !== x);
    else if (x.due <= now) addDisk(state, s, x.lun, now);
  }
  for (const s of state.sessions) {
    const rel = `${hostDir(s.host)}/scsi_host/host${s.host}/scan`;
    const cmd = read(state, rel).trim();
    if (!cmd) continue;
    write(state, rel, '');
    const m = /^(\S+)\s+(\S+)\s+(\S+)$/.exec(cmd);
    if (!m) continue;
    const luns = m[3] === '-' ? Object.keys(arrayTarget(state, s.target)?.luns ?? {}) : [m[3]];
    for (const lun of luns) addDisk(state, s, Number(lun), now);
  }
  for (const name of Object.keys(state.disks)) {
    const d = state.disks[name];
    if (read(state, `${d.devDir}/delete`).trim() === '1') {
      removeDisk(state, name);
      continue;
    }
    if (read(state, `${d.devDir}/rescan`).trim() === '1') {
      write(state, `${d.devDir}/rescan`, '');
      refreshSize(state, name);
    }
  }
}
