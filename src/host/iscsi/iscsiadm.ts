// Thin typed wrapper over iscsiadm. Every call names one exact (target, portal); outcomes are
// read from exit codes (open-iscsi's iscsi_err.h), never from message text, so the daemon noise
// iscsiadm prints on stderr does not matter.
import { HostError } from '../../errors';
import { loginExecTimeoutMs, tuning } from '../core/defaults';
import { HostTimeoutError, describeFailure, meaningfulLines, runTool, toolBound, type ExecResult } from '../core/exec';
import { parseNodeRecord, parseSessionDetails, parseSessions, type Session, type SessionDetails } from './parse';
import { formatPortal, samePortal, sameTarget } from './portal';
import type { HostEnv, Portal } from '../core/types';

/** Exit codes of iscsiadm that change what we do. */
export const ISCSI_ERR = {
  TRANS: 4,
  LOGIN: 5,
  IDBM: 6,
  TRANS_TIMEOUT: 8,
  PDU_TIMEOUT: 11,
  ISCSID_COMM: 18,
  FATAL_LOGIN: 19,
  ISCSID_NOTCONN: 20,
  SESS_EXISTS: 15,
  NO_OBJS_FOUND: 21,
  LOGIN_AUTH_FAILED: 24,
  BUSY: 28,
  AGAIN: 29,
} as const;

function nodeArgs(target: string, p: Portal): string[] {
  return ['-m', 'node', '-T', target, '-p', formatPortal(p)];
}

function fail(env: HostEnv, args: string[], r: ExecResult, details: Record<string, unknown> = {}): never {
  throw new HostError(describeFailure(env, 'iscsiadm', args, r), { tool: 'iscsiadm', exitCode: r.code, ...details });
}

/**
 * One node-database call. open-iscsi's record database is not safe for concurrent use: a call on
 * one target walks every record and fails with "iSCSI database failure" (exit 6) when another
 * process deletes or creates some other target's record at that moment (measured: 9 of 18
 * concurrent `login deactivate` failed so in the test VM). That exit is retried, with a growing
 * jittered pause, while the deadline allows; every call here is safe to repeat.
 */
async function nodeDbCall(env: HostEnv, args: string[], timeoutMs?: number): Promise<ExecResult> {
  const t = tuning(env);
  for (let attempt = 1; ; attempt++) {
    const r = await runTool(env, 'iscsiadm', args, timeoutMs === undefined ? {} : { timeoutMs });
    if (r.code !== ISCSI_ERR.IDBM || attempt >= IDBM_ATTEMPTS) return r;
    const pause = t.pollStartMs * attempt + Math.floor(Math.random() * t.pollStartMs);
    if (env.deadline.remaining() < pause + t.pollStartMs) return r;
    env.log.debug(`iscsiadm node database busy (attempt ${attempt}); retrying in ${pause} ms`);
    await env.clock.sleep(pause);
  }
}
const IDBM_ATTEMPTS = 6;

/** The node record for (target, portal) as `key = value` pairs, or null when there is none. */
export async function nodeShow(env: HostEnv, target: string, p: Portal): Promise<Map<string, string> | null> {
  const args = [...nodeArgs(target, p), '-o', 'show'];
  const r = await nodeDbCall(env, args);
  if (r.code === 0) return parseNodeRecord(r.stdout);
  if (r.code === ISCSI_ERR.NO_OBJS_FOUND) return null;
  return fail(env, args, r);
}

export async function nodeNew(env: HostEnv, target: string, p: Portal): Promise<void> {
  const args = [...nodeArgs(target, p), '-o', 'new'];
  const r = await nodeDbCall(env, args);
  if (r.code !== 0 && r.code !== ISCSI_ERR.SESS_EXISTS) fail(env, args, r);
}

/** One `-o update -n <name> -v <value>`. */
export async function nodeUpdate(env: HostEnv, target: string, p: Portal, name: string, value: string): Promise<void> {
  const args = [...nodeArgs(target, p), '-o', 'update', '-n', name, '-v', value];
  const r = await nodeDbCall(env, args);
  if (r.code !== 0) fail(env, args, r);
}

/** Delete the node record; a record that is already gone is fine. */
export async function nodeDelete(env: HostEnv, target: string, p: Portal): Promise<'deleted' | 'absent'> {
  const args = [...nodeArgs(target, p), '-o', 'delete'];
  const r = await nodeDbCall(env, args, toolBound(env, tuning(env).logoutTimeoutMs));
  if (r.code === 0) return 'deleted';
  if (r.code === ISCSI_ERR.NO_OBJS_FOUND) return 'absent';
  return fail(env, args, r);
}

export type LoginFailureKind = 'auth' | 'unreachable' | 'timeout' | 'daemon' | 'other';

export type LoginOutcome = { ok: true; already: boolean } | { ok: false; kind: LoginFailureKind; exitCode: number | null; message: string };

function loginKind(code: number | null): LoginFailureKind {
  switch (code) {
    case ISCSI_ERR.LOGIN_AUTH_FAILED:
      return 'auth';
    case ISCSI_ERR.TRANS:
    case ISCSI_ERR.TRANS_TIMEOUT:
    case ISCSI_ERR.PDU_TIMEOUT:
      return 'unreachable';
    case ISCSI_ERR.ISCSID_COMM:
    case ISCSI_ERR.ISCSID_NOTCONN:
      return 'daemon';
    default:
      return 'other';
  }
}

/** Log in on exactly one portal. "Already present" (15) counts as success. */
export async function login(env: HostEnv, target: string, p: Portal): Promise<LoginOutcome> {
  const args = [...nodeArgs(target, p), '--login'];
  try {
    // (a database failure comes from reading the records, before any login was tried)
    const r = await nodeDbCall(env, args, toolBound(env, loginExecTimeoutMs(tuning(env))));
    if (r.code === 0) return { ok: true, already: false };
    if (r.code === ISCSI_ERR.SESS_EXISTS) return { ok: true, already: true };
    return { ok: false, kind: loginKind(r.code), exitCode: r.code, message: describeFailure(env, 'iscsiadm', args, r) };
  } catch (e) {
    if (e instanceof HostTimeoutError) return { ok: false, kind: 'timeout', exitCode: null, message: e.message };
    throw e;
  }
}

/** Log out of exactly one portal of one target. No session there (21) is fine. */
export async function logout(env: HostEnv, target: string, p: Portal): Promise<'logged-out' | 'no-session'> {
  const args = [...nodeArgs(target, p), '--logout'];
  const r = await nodeDbCall(env, args, toolBound(env, tuning(env).logoutTimeoutMs));
  if (r.code === 0) return 'logged-out';
  if (r.code === ISCSI_ERR.NO_OBJS_FOUND) return 'no-session';
  return fail(env, args, r);
}

/** Every session on this host; "No active sessions" (21) is an empty list. */
export async function listSessions(env: HostEnv): Promise<Session[]> {
  const args = ['-m', 'session'];
  const r = await runTool(env, 'iscsiadm', args);
  if (r.code === 0) return parseSessions(r.stdout);
  if (r.code === ISCSI_ERR.NO_OBJS_FOUND) return [];
  return fail(env, args, r);
}

/** Sessions of exactly this (target, portal) — never a substring match. */
export function sessionsFor(sessions: Session[], target: string, p: Portal): Session[] {
  return sessions.filter((s) => sameTarget(s.target, target) && samePortal(s.portal, p));
}

/** `-m session -P 3` (optionally for one session id): SCSI host and attached disks. */
export async function sessionDetails(env: HostEnv, sid?: number): Promise<SessionDetails[]> {
  const args = sid === undefined ? ['-m', 'session', '-P', '3'] : ['-m', 'session', '-r', String(sid), '-P', '3'];
  const r = await runTool(env, 'iscsiadm', args);
  if (r.code === 0) return parseSessionDetails(r.stdout);
  if (r.code === ISCSI_ERR.NO_OBJS_FOUND) return [];
  return fail(env, args, r);
}

/** Rescan one session (all LUNs of that one target/portal). False when the session is gone. */
export async function rescanSession(env: HostEnv, sid: number): Promise<boolean> {
  if (!Number.isInteger(sid) || sid < 0) throw new HostError(`invalid iSCSI session id ${sid}`);
  const args = ['-m', 'session', '-r', String(sid), '--rescan'];
  const r = await runTool(env, 'iscsiadm', args);
  if (r.code === 0) return true;
  if (r.code === ISCSI_ERR.NO_OBJS_FOUND) return false;
  env.log.warn(`rescan of iSCSI session ${sid} failed: ${meaningfulLines(r.stderr).join(' | ')}`);
  return false;
}
