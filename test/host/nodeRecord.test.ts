// Node record settings written only where they differ: what iscsiadm is asked per portal when a
// target's record exists (with and without a live session), and that wrong records are repaired.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { activate } from '../../src/host/lifecycle/activate';
import { nodeNew, nodeShow, nodeUpdate } from '../../src/host/iscsi/iscsiadm';
import { readPortalRecord } from '../../src/host/iscsi/nodeDb';
import { applyNodeSettings, nodeRecordProven } from '../../src/host/iscsi/nodeRecord';
import { portal } from '../../src/host/iscsi/portal';
import { FakeHost, IQN, WWID1 } from './fakes/harness';
import { fixture } from './fakes/scripted';
import { P2, P3, req } from './flowHelpers';

const SECRET = 'Chap-Secret_2025!';
const DISK1 = { lun: 1, wwid: WWID1, volume: 'vm-100-disk-1' };
let h: FakeHost;
afterEach(() => {
  const violations = h.violations();
  h.cleanup();
  expect(violations).toEqual([]);
});

/** The iscsiadm node-mode calls made since call number `since`, as "<portal> <op> [name]". */
function nodeOps(since: number): string[] {
  return h
    .calls()
    .slice(since)
    .filter((c) => c.tool === 'iscsiadm' && c.argv[1] === 'node')
    .map((c) => {
      const at = (f: string) => c.argv[c.argv.indexOf(f) + 1];
      const op = c.argv.includes('--login') ? 'login' : at('-o');
      return [at('-p'), op, ...(op === 'update' ? [at('-n')] : [])].join(' ');
    });
}

function recordFile(address: string): string {
  return join(h.root, 'etc/iscsi/nodes', IQN, `${address},3260,-1`, 'default');
}

function field(address: string, key: string): string | undefined {
  return new RegExp(`^${key.replace(/[.[\]]/g, '\\$&')} = (.*)$`, 'm').exec(readFileSync(recordFile(address), 'utf8'))?.[1];
}

/** Someone else edits a record behind our back (through iscsiadm, as an admin would). */
async function tamper(address: string, name: string, value: string): Promise<void> {
  await nodeUpdate(h.env(), IQN, portal(address), name, value);
}

// A record just created carries iscsid.conf's defaults (the fake's: node.startup automatic,
// login timeout 15, 8 retries, authmethod None): only what differs from ours is written.
const FIRST_DISK_PER_PORTAL = (p: string) => [
  `${p}:3260 show`,
  `${p}:3260 new`,
  `${p}:3260 update node.startup`,
  `${p}:3260 update node.conn[0].timeo.login_timeout`,
  `${p}:3260 update node.session.initial_login_retry_max`,
  `${p}:3260 login`,
];
const CHAP_WRITES = (p: string) => [
  `${p}:3260 update node.session.auth.authmethod`,
  `${p}:3260 update node.session.auth.username`,
  `${p}:3260 update node.session.auth.password`,
];
const withChap = (p: string) => [...FIRST_DISK_PER_PORTAL(p).slice(0, -1), ...CHAP_WRITES(p), `${p}:3260 login`];

describe('first disk of a new target', () => {
  test('unchanged: show (none), new, the settings that differ from the defaults, login — per portal', async () => {
    h = FakeHost.standard();
    await activate(h.env(), req());
    expect(nodeOps(0)).toEqual([...FIRST_DISK_PER_PORTAL('127.0.0.2'), ...FIRST_DISK_PER_PORTAL('127.0.0.3')]);
    expect(field('127.0.0.2', 'node.startup')).toBe('manual');
    expect(field('127.0.0.2', 'node.conn[0].timeo.login_timeout')).toBe('5');
    expect(field('127.0.0.2', 'node.session.auth.authmethod')).toBe('None');
  });

  test('with CHAP: the CHAP settings too, the secret in the record and on no argv', async () => {
    h = FakeHost.standard({}, { user: 'pve', secret: SECRET });
    await activate(h.env(), req({ chap: { user: 'pve', secret: SECRET } }));
    expect(nodeOps(0)).toEqual([...withChap('127.0.0.2'), ...withChap('127.0.0.3')]);
    expect(field('127.0.0.3', 'node.session.auth.password')).toBe(SECRET);
    expect(JSON.stringify(h.calls())).not.toContain(SECRET);
  });

  test('a new record whose file cannot be read gets every setting written', async () => {
    h = FakeHost.standard();
    // the record database where jdssc does not look: iscsiadm's view alone, so nothing is assumed
    await activate({ ...h.env(), roots: { ...h.env().roots, iscsiDb: [join(h.root, 'nowhere')] } }, req());
    expect(nodeOps(0).filter((o) => o.startsWith('127.0.0.2:3260 update'))).toHaveLength(6);
  });
});

describe('second disk on a target whose sessions are live', () => {
  test('record already right: no node-record call at all, no login', async () => {
    h = FakeHost.standard();
    await activate(h.env(), req());
    const since = h.calls().length;
    const r = await activate(h.env(), req(DISK1));
    expect(r.degraded).toBe(false);
    expect(nodeOps(since)).toEqual([]);
    // and one session listing: with no login, the listing from before is still the picture
    const iscsiadm = h
      .calls()
      .slice(since)
      .filter((c) => c.tool === 'iscsiadm')
      .map((c) => c.argv.join(' '));
    expect(iscsiadm).toEqual(['-m session']);
    expect(h.log.text()).toMatch(/node record of .* at 127\.0\.0\.3:3260 already right \(live session\)/);
  });

  test('with CHAP and the record right: no node-record call either; the secret in no log', async () => {
    h = FakeHost.standard({}, { user: 'pve', secret: SECRET });
    await activate(h.env(), req({ chap: { user: 'pve', secret: SECRET } }));
    const since = h.calls().length;
    await activate(h.env(), req({ ...DISK1, chap: { user: 'pve', secret: SECRET } }));
    expect(nodeOps(since)).toEqual([]);
    expect(h.log.text()).not.toContain(SECRET);
  });

  test('one setting changed by someone else: one show, exactly that update, on that portal only', async () => {
    h = FakeHost.standard();
    await activate(h.env(), req());
    await tamper('127.0.0.3', 'node.startup', 'automatic');
    const since = h.calls().length;
    await activate(h.env(), req(DISK1));
    expect(nodeOps(since)).toEqual(['127.0.0.3:3260 show', '127.0.0.3:3260 update node.startup']);
    expect(field('127.0.0.3', 'node.startup')).toBe('manual');
  });

  test('a login timeout changed: only that setting is written back', async () => {
    h = FakeHost.standard();
    await activate(h.env(), req());
    await tamper('127.0.0.2', 'node.conn[0].timeo.login_timeout', '120');
    const since = h.calls().length;
    await activate(h.env(), req(DISK1));
    expect(nodeOps(since)).toEqual(['127.0.0.2:3260 show', '127.0.0.2:3260 update node.conn[0].timeo.login_timeout']);
    expect(field('127.0.0.2', 'node.conn[0].timeo.login_timeout')).toBe('5');
  });

  test('CHAP secret differing: only the password is rewritten (through the placeholder), never on an argv', async () => {
    const OLD = 'Old-Secret_2024';
    h = FakeHost.standard({}, { user: 'pve', secret: OLD });
    await activate(h.env(), req({ chap: { user: 'pve', secret: OLD } }));
    h.array((t) => (t[IQN].chap = { user: 'pve', secret: SECRET }));
    const since = h.calls().length;
    await activate(h.env(), req({ ...DISK1, chap: { user: 'pve', secret: SECRET } }));
    expect(nodeOps(since)).toEqual([
      '127.0.0.2:3260 show',
      '127.0.0.2:3260 update node.session.auth.password',
      '127.0.0.3:3260 show',
      '127.0.0.3:3260 update node.session.auth.password',
    ]);
    for (const a of ['127.0.0.2', '127.0.0.3']) expect(field(a, 'node.session.auth.password')).toBe(SECRET);
    expect(JSON.stringify(h.calls())).not.toContain(SECRET);
    expect(h.log.text()).not.toContain(SECRET);
  });

  test('CHAP user differing: the user name is written, the matching secret is not', async () => {
    h = FakeHost.standard({}, { user: 'pve', secret: SECRET });
    await activate(h.env(), req({ chap: { user: 'pve', secret: SECRET } }));
    await tamper('127.0.0.2', 'node.session.auth.username', 'intruder');
    const since = h.calls().length;
    await activate(h.env(), req({ ...DISK1, chap: { user: 'pve', secret: SECRET } }));
    expect(nodeOps(since)).toEqual(['127.0.0.2:3260 show', '127.0.0.2:3260 update node.session.auth.username']);
    expect(field('127.0.0.2', 'node.session.auth.username')).toBe('pve');
  });

  test('CHAP switched off: authmethod, user and password are cleared', async () => {
    h = FakeHost.standard({}, { user: 'pve', secret: SECRET });
    await activate(h.env(), req({ chap: { user: 'pve', secret: SECRET } }));
    const since = h.calls().length;
    await activate(h.env(), req(DISK1));
    expect(nodeOps(since).filter((o) => o.startsWith('127.0.0.2'))).toEqual([
      '127.0.0.2:3260 show',
      '127.0.0.2:3260 update node.session.auth.authmethod',
      '127.0.0.2:3260 update node.session.auth.username',
      '127.0.0.2:3260 update node.session.auth.password',
    ]);
    expect([field('127.0.0.2', 'node.session.auth.authmethod'), field('127.0.0.2', 'node.session.auth.password')]).toEqual(['None', '']);
  });

  test('a copy of the record in the second DB root makes the file ambiguous: iscsiadm decides', async () => {
    h = FakeHost.standard();
    await activate(h.env(), req());
    cpSync(join(h.root, 'etc/iscsi/nodes'), join(h.root, 'var/lib/iscsi/nodes'), { recursive: true });
    const since = h.calls().length;
    await activate(h.env(), req(DISK1));
    // (The fake masks an empty password too, so which record holds it is unknown: it is rewritten.)
    expect(nodeOps(since).filter((o) => !o.endsWith('auth.password'))).toEqual(['127.0.0.2:3260 show', '127.0.0.3:3260 show']);
    expect(field('127.0.0.2', 'node.session.auth.password')).toBe('');
  });
});

describe('record present, no session (after a logout or a reboot)', () => {
  test('record right: one show per portal, no update, then the login', async () => {
    h = FakeHost.standard();
    const env = h.env();
    for (const p of [P2, P3]) {
      await nodeNew(env, IQN, p);
      await applyNodeSettings(env, IQN, p, null, null);
    }
    const since = h.calls().length;
    await activate(env, req());
    expect(nodeOps(since)).toEqual(['127.0.0.2:3260 show', '127.0.0.2:3260 login', '127.0.0.3:3260 show', '127.0.0.3:3260 login']);
  });

  test('a record that proves right in the file is still shown by iscsiadm when no session is live', async () => {
    h = FakeHost.standard();
    const env = h.env();
    await nodeNew(env, IQN, P2);
    await applyNodeSettings(env, IQN, P2, null, null);
    expect(nodeRecordProven(env, IQN, P2, null)).toBe(true);
    const since = h.calls().length;
    await activate(env, req({ portals: [P2] }));
    expect(nodeOps(since)[0]).toBe('127.0.0.2:3260 show');
  });
});

describe('nodeRecordProven / applyNodeSettings', () => {
  test('a record left as iscsiadm creates it is not proven (node.startup automatic)', async () => {
    h = FakeHost.standard();
    const env = h.env();
    await nodeNew(env, IQN, P2);
    expect(nodeRecordProven(env, IQN, P2, null)).toBe(false);
    expect(await applyNodeSettings(env, IQN, P2, null, await nodeShow(env, IQN, P2))).toEqual([
      'node.startup',
      'node.conn[0].timeo.login_timeout',
      'node.session.initial_login_retry_max',
    ]);
    expect(await applyNodeSettings(env, IQN, P2, null, await nodeShow(env, IQN, P2))).toEqual([]);
  });

  test('no record file, or no readable one: not proven', () => {
    h = FakeHost.standard();
    expect(nodeRecordProven(h.env(), IQN, P2, null)).toBe(false);
  });

  test('a wrong secret, user or method in the file is not proven', async () => {
    h = FakeHost.standard();
    const env = h.env();
    await nodeNew(env, IQN, P2);
    await applyNodeSettings(env, IQN, P2, { user: 'pve', secret: SECRET }, null);
    expect(nodeRecordProven(env, IQN, P2, { user: 'pve', secret: SECRET })).toBe(true);
    expect(nodeRecordProven(env, IQN, P2, { user: 'pve', secret: `${SECRET}x` })).toBe(false);
    expect(nodeRecordProven(env, IQN, P2, { user: 'pve2', secret: SECRET })).toBe(false);
    expect(nodeRecordProven(env, IQN, P2, null)).toBe(false);
  });

  test('a record file as open-iscsi 2.1.8 writes it (empty settings left out) is read as cleared CHAP', () => {
    h = FakeHost.standard();
    const dir = join(h.root, 'etc/iscsi/nodes', IQN);
    mkdirSync(dir, { recursive: true });
    // Old layout (a file per portal, no tpgt), as `iscsiadm -m node -o new` wrote it on the testbed.
    writeFileSync(join(dir, '127.0.0.2,3260'), fixture('node-record-2.1.8.txt').replace(/iqn\.2025-04\.test:h9/g, IQN), { mode: 0o600 });
    const rec = readPortalRecord(h.env().roots.iscsiDb, IQN, P2);
    expect(rec?.get('node.session.auth.username')).toBeUndefined();
    expect(nodeRecordProven(h.env(), IQN, P2, null)).toBe(true);
    expect(nodeRecordProven(h.env(), IQN, P2, { user: 'pve', secret: SECRET })).toBe(false);
  });
});
