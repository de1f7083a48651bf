// The node record settings jdssc owns on one (target, portal) — node.startup manual, our login
// timeout and retry count, CHAP set or cleared — written only where they differ. Every iscsiadm
// call is a process (and on a busy host a wait for the record DB), so a record that is already
// right costs one `-o show` and no update; with a live session it costs nothing: the record file
// read in-process proves it. A record someone else changed is still repaired (each differing
// setting gets its update). The CHAP secret is compared in memory, never printed or logged.
import { timingSafeEqual } from 'node:crypto';
import { tuning } from '../core/defaults';
import { ALL_CHAP, clearChap, setChap, type ChapWrites } from './chap';
import { nodeUpdate } from './iscsiadm';
import { readPortalRecord } from './nodeDb';
import { formatPortal } from './portal';
import type { ChapCredentials, HostEnv, Portal } from '../core/types';

const AUTH = 'node.session.auth';
const PASSWORD = `${AUTH}.password`;
/** How `-o show` prints an empty setting; the record file leaves empty settings out instead. */
const SHOWN_EMPTY = '<empty>';

interface Writes {
  plain: [name: string, value: string][];
  chap: ChapWrites;
}

/** The non-CHAP settings, in the order they are written. */
function plainSettings(env: HostEnv): [string, string][] {
  const t = tuning(env);
  return [
    ['node.startup', 'manual'],
    ['node.conn[0].timeo.login_timeout', String(t.loginTimeoutSec)],
    ['node.session.initial_login_retry_max', String(t.loginRetryMax)],
  ];
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Judged from the record file: a missing key only counts as empty for user name and password. */
function writesFromFile(env: HostEnv, rec: Map<string, string>, chap: ChapCredentials | null): Writes {
  return {
    plain: plainSettings(env).filter(([k, v]) => rec.get(k) !== v),
    chap: {
      authmethod: rec.get(`${AUTH}.authmethod`) !== (chap ? 'CHAP' : 'None'),
      username: (rec.get(`${AUTH}.username`) ?? '') !== (chap?.user ?? ''),
      password: !sameSecret(rec.get(PASSWORD) ?? '', chap?.secret ?? ''),
    },
  };
}

/**
 * Judged from `-o show` (iscsiadm's own view of the record it uses). It masks a set password, so
 * that one is compared against the record file; when the file cannot be told apart the password
 * is rewritten (with CHAP the placeholder swap then finds the record iscsiadm wrote).
 */
function writesFromShow(env: HostEnv, target: string, p: Portal, shown: Map<string, string>, chap: ChapCredentials | null): Writes {
  const value = (k: string) => {
    const v = shown.get(k);
    return v === SHOWN_EMPTY ? '' : v;
  };
  const wanted = chap?.secret ?? '';
  let password: boolean;
  if (value(PASSWORD) === '') password = wanted !== '';
  else {
    // Masked (some iscsiadm builds mask an empty one too): the record file tells.
    const file = readPortalRecord(env.roots.iscsiDb, target, p);
    password = file === null || !sameSecret(file.get(PASSWORD) ?? '', wanted);
  }
  return {
    plain: plainSettings(env).filter(([k, v]) => value(k) !== v),
    chap: {
      authmethod: value(`${AUTH}.authmethod`) !== (chap ? 'CHAP' : 'None'),
      username: value(`${AUTH}.username`) !== (chap?.user ?? ''),
      password,
    },
  };
}

function writesForNew(env: HostEnv, target: string, p: Portal, chap: ChapCredentials | null): Writes {
  const file = readPortalRecord(env.roots.iscsiDb, target, p);
  return file === null ? { plain: plainSettings(env), chap: ALL_CHAP } : writesFromFile(env, file, chap);
}

function nothingToWrite(w: Writes): boolean {
  return w.plain.length === 0 && !w.chap.authmethod && !w.chap.username && !w.chap.password;
}

/** Names of the settings a Writes touches (for the debug log; never values). */
function names(w: Writes): string[] {
  const chap = (Object.keys(w.chap) as (keyof ChapWrites)[]).filter((k) => w.chap[k]).map((k) => `${AUTH}.${k}`);
  return [...w.plain.map(([k]) => k), ...chap];
}

/**
 * With a live session on this portal: does the record file alone show every setting right? Only
 * then is iscsiadm not asked at all. Without a session the login that follows uses the record
 * now, so iscsiadm's own view (`-o show`) decides; so it does when the file is missing, ambiguous
 * (several ifaces or DB roots) or unreadable.
 */
export function nodeRecordProven(env: HostEnv, target: string, p: Portal, chap: ChapCredentials | null): boolean {
  const rec = readPortalRecord(env.roots.iscsiDb, target, p);
  if (rec === null || !nothingToWrite(writesFromFile(env, rec, chap))) return false;
  env.log.debug(`node record of ${target} at ${formatPortal(p)} already right (live session); not touched`);
  return true;
}

/**
 * Bring the record to our settings. `shown` is its `-o show` output, or null for a record just
 * created: then the file iscsiadm has just written (iscsid.conf's defaults) tells which settings
 * differ — on a stock Debian host two or three of seven, each an iscsiadm process (measured in
 * the test VM's boot storm: about 1 s each under load) — and everything is written when that
 * file cannot be read unambiguously. Returns the names of the settings written.
 */
export async function applyNodeSettings(
  env: HostEnv,
  target: string,
  p: Portal,
  chap: ChapCredentials | null,
  shown: Map<string, string> | null,
): Promise<string[]> {
  const w: Writes = shown === null ? writesForNew(env, target, p, chap) : writesFromShow(env, target, p, shown, chap);
  for (const [k, v] of w.plain) await nodeUpdate(env, target, p, k, v);
  if (chap) await setChap(env, target, p, chap, w.chap);
  else await clearChap(env, target, p, w.chap);
  const written = names(w);
  if (shown !== null)
    env.log.debug(`node record of ${target} at ${formatPortal(p)}: ${written.length ? `updated ${written.join(', ')}` : 'already right'}`);
  return written;
}
