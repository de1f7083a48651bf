// State of the fake host (sessions, disks, maps, the fake array, fault knobs, every argv seen),
// kept in one JSON file so separate fake processes share it. A small O_EXCL lock serialises
// concurrent fake processes.
import * as fs from 'node:fs';
import { join } from 'node:path';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function lockState(statePath) {
  const lock = `${statePath}.lock`;
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      return () => fs.rmSync(lock, { force: true });
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (Date.now() > until) {
        fs.rmSync(lock, { force: true }); // a fake killed mid-call: take over
        continue;
      }
      Atomics.wait(sleeper, 0, 0, 5);
    }
  }
}

export function loadState(statePath) {
  return JSON.parse(fs.readFileSync(statePath, 'utf8'));
}

export function saveState(statePath, state) {
  const tmp = `${statePath}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 1));
  fs.renameSync(tmp, statePath);
}

/** Run fn(state) under the state lock and persist what it changed. */
export function withState(statePath, fn) {
  const unlock = lockState(statePath);
  try {
    const state = loadState(statePath);
    const out = fn(state);
    saveState(statePath, state);
    return out;
  } finally {
    unlock();
  }
}

export function initialState(root, array = { targets: {} }, faults = {}) {
  return {
    root,
    array,
    faults,
    next: { sid: 1, host: 3, sd: 1, dm: 0 },
    sessions: [],
    disks: {},
    maps: {},
    wwids: [],
    calls: [],
    violations: [],
    pending: [],
  };
}

/** The fake root: what /sys, /dev and the iSCSI node DBs look like before anything logs in. */
export function createFakeRoot(root) {
  for (const d of [
    'sys/block',
    'sys/class/iscsi_session',
    'sys/class/iscsi_host',
    'sys/class/scsi_host',
    'sys/devices/platform',
    'sys/devices/virtual/block',
    'dev/disk/by-path',
    'dev/disk/by-id',
    'dev/mapper',
    'etc/iscsi/nodes',
    'var/lib/iscsi/nodes',
  ]) {
    fs.mkdirSync(join(root, d), { recursive: true });
  }
}
