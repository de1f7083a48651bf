// Connects the simulator to the fake host of test/host/fakes: what the REST API publishes
// (targets, LUNs, VIP portals, CHAP) becomes the "array" the fake iscsiadm logs in to, and the
// fake host's sessions become the sessions the appliance reports. The test-only counterpart of
// a real data path; used by the jest tiers (test/helpers/cli.ts) and the Perl plugin tests
// (test/plugin/sim-fakehost.mjs).
import { FAKE_INITIATOR, loadState, withState } from '../host/fakes/lib/state.mjs';

export { FAKE_INITIATOR };

export function fakeDataPath(statePath, dataPort = 3260) {
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
