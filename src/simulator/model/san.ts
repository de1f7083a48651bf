// iSCSI semantics: targets (names are unique across all pools, as in SCST), LUNs (a zvol is
// exported at most once), CHAP incoming users, and sessions injected by tests.
import { errors } from '../api/errors';
import { findAttachment, lunVolumeName, type PoolRec, type SessionRec, type SimState, type TargetRec, type VolumeRec } from './model';

const IQN = /^iqn\.\d{4}-(0[1-9]|1[0-2])\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[A-Za-z0-9.:_-]+)?$/;
const MAX_IQN = 223;
const CHAP_USER = /^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/;
const CHAP_PASSWORD = /^[a-zA-Z0-9\-_!@%()+?.:;]{12,255}$/;
export const MAX_LUN = 255;

export function validateTargetName(name: unknown): string {
  if (typeof name !== 'string' || name.length > MAX_IQN || !IQN.test(name)) {
    throw errors.validation(`Invalid target name '${String(name)}'.`);
  }
  return name;
}

/** Target names are global on the appliance: look in every pool. */
export function findTargetAnywhere(state: SimState, name: string): { pool: PoolRec; target: TargetRec } | undefined {
  for (const pool of state.pools.values()) {
    const target = pool.targets.get(name);
    if (target) return { pool, target };
  }
  return undefined;
}

export function requireTarget(pool: PoolRec, name: string): TargetRec {
  const target = pool.targets.get(name);
  if (!target) throw errors.targetNotFound(name);
  return target;
}

export function resolveVipNames(pool: PoolRec, names: string[]): void {
  for (const name of names) {
    if (!pool.vips.some((v) => v.name === name)) throw errors.validation(`VIP ${name} does not exist on pool ${pool.name}.`);
  }
}

export function createTarget(state: SimState, pool: PoolRec, target: TargetRec): void {
  const clash = findTargetAnywhere(state, target.name);
  if (clash) throw errors.targetExists(target.name, clash.pool.name);
  pool.targets.set(target.name, target);
  state.changed(pool);
}

export function renameTarget(state: SimState, pool: PoolRec, target: TargetRec, newName: string): void {
  if (newName === target.name) return;
  const clash = findTargetAnywhere(state, newName);
  if (clash) throw errors.targetExists(newName, clash.pool.name);
  pool.targets.delete(target.name);
  target.name = newName;
  for (const s of target.sessions) s.target_name = newName;
  pool.targets.set(newName, target);
}

/** Deleting a target detaches its LUNs and drops its sessions (the appliance allows it). */
export function deleteTarget(state: SimState, pool: PoolRec, name: string): TargetRec {
  const target = requireTarget(pool, name);
  pool.targets.delete(name);
  state.changed(pool);
  return target;
}

export function attachLun(
  state: SimState,
  pool: PoolRec,
  target: TargetRec,
  vol: VolumeRec,
  lun: number | undefined,
  mode: string,
): number {
  if (findAttachment(pool, vol.id)) throw errors.volumeAlreadyUsed(pool.name, vol.name);
  let number = lun;
  if (number === undefined) {
    number = 0;
    while (target.luns.has(number)) number++;
    if (number > MAX_LUN) throw errors.validation(`No free LUN number on target ${target.name}.`);
  } else if (target.luns.has(number)) {
    throw errors.lunNumberTaken(number, target.name);
  }
  target.luns.set(number, { lun: number, volumeId: vol.id, mode });
  state.changed(pool);
  return number;
}

export function findLunByVolumeName(pool: PoolRec, target: TargetRec, volumeName: string) {
  for (const lun of target.luns.values()) {
    if (lunVolumeName(pool, lun) === volumeName) return lun;
  }
  return undefined;
}

export function detachLun(state: SimState, pool: PoolRec, target: TargetRec, volumeName: string): number {
  const lun = findLunByVolumeName(pool, target, volumeName);
  if (!lun) throw errors.lunNotAttached(volumeName, target.name);
  target.luns.delete(lun.lun);
  state.changed(pool);
  return lun.lun;
}

export function validateChapUser(name: unknown, password: unknown): { name: string; password: string } {
  if (typeof name !== 'string' || name.length > 255 || !CHAP_USER.test(name)) {
    throw errors.validation('User name may contain only letters, digits, "-" and "_", and must start and end with a letter, digit or "_".');
  }
  // Never echo the password back: it is a secret even when it is invalid.
  if (typeof password !== 'string' || !CHAP_PASSWORD.test(password)) {
    throw errors.validation('Password must be 12 to 255 characters long and may contain only letters, digits and - _ ! @ % ( ) + ? . : ;');
  }
  return { name, password };
}

export function addUser(state: SimState, pool: PoolRec, target: TargetRec, user: { name: string; password: string }): void {
  if (target.users.has(user.name)) throw errors.userExists(user.name);
  target.users.set(user.name, user);
  state.changed(pool);
}

export function removeUser(state: SimState, pool: PoolRec, target: TargetRec, name: string): void {
  if (!target.users.delete(name)) throw errors.userNotFound(name);
  state.changed(pool);
}

/** Test / control-API injection of the sessions a target reports. */
export function setSessions(state: SimState, poolName: string, targetName: string, sessions: Partial<SessionRec>[]): void {
  const pool = state.pool(poolName);
  if (!pool) throw errors.poolNotFound(poolName);
  const target = requireTarget(pool, targetName);
  target.sessions = sessions.map((s, i) => ({
    target_name: targetName,
    cid: String(s.cid ?? '0'),
    ip: String(s.ip ?? '127.0.0.1'),
    sid: String(s.sid ?? `${(i + 1).toString(16)}3d0200`),
    initiator_name: String(s.initiator_name ?? 'iqn.1993-08.org.debian:01:simulated'),
  }));
}
