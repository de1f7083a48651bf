#!/usr/bin/env node
// The simulator of `jdssc simulator start`, plus a data path into the fake host of
// test/host/fakes: what the REST API publishes (targets, LUNs, VIP portals, CHAP) becomes the
// "array" the fake iscsiadm logs in to, and the fake host's sessions are what the appliance
// reports. A JavaScript copy of test/helpers/fakeDataPath.ts for the Perl plugin tests, which
// run jdssc as a real process: its sleeps cannot tick the fake kernel, so this process ticks it
// every 50 ms (writes to scan / rescan / delete take effect, as a real kernel's would).
// Loopback only; stops on SIGTERM.
//
//   node sim-fakehost.mjs --host-root DIR --host-state FILE [simulator start options: --password-file
//     --ca-file --ready-file]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tickFake } from '../host/fakes/lib/dispatch.mjs';
import { createFakeRoot, initialState, loadState, saveState, withState } from '../host/fakes/lib/state.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { simulatorMain } = createRequire(import.meta.url)(join(here, '../../dist/simulator.cjs'));

const FAKE_INITIATOR = 'iqn.1993-08.org.debian:01:jdssc-test-host';

function fakeDataPath(statePath, dataPort = 3260) {
  const extra = new Map();
  const chapOf = (target) => {
    const x = extra.get(target);
    return x?.chapActive && x.users[0] ? { user: x.users[0].name, secret: x.users[0].password } : null;
  };
  const update = (target, fn) =>
    withState(statePath, (state) => {
      state.array.targets[target] ??= { portals: [], chap: null, luns: {} };
      fn(state.array.targets[target]);
    });
  const settingsApply = (target, s) => {
    extra.set(target, { chapActive: s.incomingUsersActive, users: extra.get(target)?.users ?? [] });
    update(target, (t) => {
      t.portals = s.assignedVipAddresses.map((a) => `${a}:${dataPort}`);
      t.chap = chapOf(target);
    });
  };
  return {
    onTargetCreated: (_pool, target, s) => settingsApply(target, s),
    onTargetUpdated: (_pool, target, s, renamedFrom) => {
      if (renamedFrom) withState(statePath, (state) => delete state.array.targets[renamedFrom]);
      settingsApply(target, s);
    },
    onTargetDeleted: (_pool, target) => {
      extra.delete(target);
      withState(statePath, (state) => delete state.array.targets[target]);
    },
    onLunAttached: (_pool, target, lun) =>
      update(target, (t) => {
        t.luns[lun.lun] = { wwid: `2${Buffer.from(lun.scsiId.slice(0, 8)).toString('hex')}`, sizeBytes: lun.sizeBytes };
      }),
    onLunDetached: (_pool, target, lun) => update(target, (t) => delete t.luns[lun]),
    onUsersChanged: (_pool, target, users) => {
      extra.set(target, { chapActive: extra.get(target)?.chapActive ?? false, users });
      update(target, (t) => {
        t.chap = chapOf(target);
      });
    },
    listSessions: (_pool, target) =>
      loadState(statePath)
        .sessions.filter((s) => s.target === target)
        .map((s) => ({ target_name: target, cid: '0', ip: '127.0.0.1', sid: String(s.sid), initiator_name: FAKE_INITIATOR })),
  };
}

const opt = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
for (const k of ['host-root', 'host-state', 'password-file', 'ca-file', 'ready-file']) {
  if (!opt[k]) {
    process.stderr.write(`sim-fakehost: --${k} is required\n`);
    process.exit(2);
  }
}
createFakeRoot(opt['host-root']);
saveState(opt['host-state'], initialState(opt['host-root']));
const kernel = setInterval(() => tickFake(opt['host-state']), 50);
process.exitCode = await simulatorMain(
  {
    listen: ['127.0.0.1'],
    port: 0,
    passwordFile: opt['password-file'],
    caFile: opt['ca-file'],
    readyFile: opt['ready-file'],
    backend: fakeDataPath(opt['host-state']),
  },
  { stdout: process.stdout, stderr: process.stderr },
);
clearInterval(kernel);
