// Connects the simulator to the fake host of test/host/fakes: what the REST API publishes
// (targets, LUNs, VIP portals, CHAP) becomes the "array" the fake iscsiadm logs in to, and the
// fake host's sessions become the sessions the appliance reports. The test-only counterpart of
// a real data path; used by the jest tiers (test/helpers/cli.ts) and the Perl plugin tests
// (test/plugin/sim-fakehost.mjs).
//
// One state file = one host (FAKE_INITIATOR). Several hosts (the two-node tests): an array of
// { statePath, initiator, address? }; every host then sees the same array, and the appliance
// reports the sessions of all of them, each under its host's initiator name (what jdssc's
// "another host is logged in" guard tells apart).
import { FAKE_INITIATOR, loadState, withState } from '../host/fakes/lib/state.mjs';

export { FAKE_INITIATOR };

function hostsOf(statePaths) {
  if (typeof statePaths === 'string') return [{ statePath: statePaths, initiator: FAKE_INITIATOR, address: '127.0.0.1' }];
  if (!Array.isArray(statePaths) || statePaths.length === 0) throw new Error('fakeDataPath: a state path or a list of hosts');
  const seen = new Set();
  return statePaths.map((h) => {
    if (!h?.statePath || !h?.initiator) throw new Error('fakeDataPath: each host needs statePath and initiator');
    // two hosts with one name would be one host to the guard: the test would prove nothing
    if (seen.has(h.initiator.toLowerCase())) throw new Error(`fakeDataPath: initiator ${h.initiator} given twice`);
    seen.add(h.initiator.toLowerCase());
    return { statePath: h.statePath, initiator: h.initiator, address: h.address ?? '127.0.0.1' };
  });
}

export function fakeDataPath(statePaths, dataPort = 3260) {
  const hosts = hostsOf(statePaths);
  const extra = new Map();
  const chapOf = (target) => {
    const x = extra.get(target);
    return x?.chapActive && x.users[0] ? { user: x.users[0].name, secret: x.users[0].password } : null;
  };
  const everyHost = (fn) => {
    for (const h of hosts) withState(h.statePath, fn);
  };
  const update = (target, fn) =>
    everyHost((state) => {
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
      if (renamedFrom) everyHost((state) => delete state.array.targets[renamedFrom]);
      settingsApply(target, s);
    },
    onTargetDeleted: (_pool, target) => {
      extra.delete(target);
      everyHost((state) => delete state.array.targets[target]);
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
      hosts.flatMap((h) =>
        loadState(h.statePath)
          .sessions.filter((s) => s.target === target)
          .map((s) => ({ target_name: target, cid: '0', ip: h.address, sid: String(s.sid), initiator_name: h.initiator })),
      ),
  };
}
