// CHAP on node records: the secret reaches the record file, never an argv or a log line.
import { cpSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { clearChap, setChap, validateChap } from '../../src/host/iscsi/chap';
import { nodeNew } from '../../src/host/iscsi/iscsiadm';
import { portal } from '../../src/host/iscsi/portal';
import type { HostEnv } from '../../src/host/core/types';
import { FakeHost, IQN } from './fakes/harness';

const SECRET = 'Chap-Secret_2025!';
let h: FakeHost | undefined;
afterEach(() => {
  h?.cleanup();
  h = undefined;
});

function recordFile(host: FakeHost | undefined, address: string): string {
  return join((host as FakeHost).root, 'etc/iscsi/nodes', IQN, `${address},3260,-1`, 'default');
}

function field(file: string, key: string): string | undefined {
  return new RegExp(`^${key.replace(/[.[\]]/g, '\\$&')} = (.*)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1];
}

/** Wrap the executor so that after each password update `mutate(placeholder)` runs (a misbehaving DB). */
function withRogueDb(env: HostEnv, mutate: (placeholder: string) => void): HostEnv {
  return {
    ...env,
    exec: {
      async run(file, args, opts) {
        const r = await env.exec.run(file, args, opts);
        const i = args.indexOf('node.session.auth.password');
        if (i >= 0 && args[i + 2]?.startsWith('jdssc-placeholder-')) mutate(args[i + 2]);
        return r;
      },
    },
  };
}

describe('setChap', () => {
  test('the secret lands in exactly this portal record, 0600, and never on an argv or in the log', async () => {
    h = FakeHost.standard();
    const env = h.env();
    for (const a of ['10.0.0.2', '10.0.0.20']) await nodeNew(env, IQN, portal(a));
    await setChap(env, IQN, portal('10.0.0.2'), { user: 'pveuser', secret: SECRET });

    const mine = recordFile(h, '10.0.0.2');
    expect(field(mine, 'node.session.auth.authmethod')).toBe('CHAP');
    expect(field(mine, 'node.session.auth.username')).toBe('pveuser');
    expect(field(mine, 'node.session.auth.password')).toBe(SECRET);
    expect(statSync(mine).mode & 0o777).toBe(0o600);
    expect(readFileSync(recordFile(h, '10.0.0.20'), 'utf8')).not.toMatch(/auth\.(username|password)|CHAP/);
    expect(JSON.stringify(h.calls())).not.toContain(SECRET);
    expect(h.log.text()).not.toContain(SECRET);
    expect(readdirSync(join(h.root, 'etc/iscsi/nodes', IQN, '10.0.0.2,3260,-1'))).toEqual(['default']); // no temp file left
  });

  test('records kept under the second DB root (/var/lib/iscsi/nodes) are found too', async () => {
    const host = (h = FakeHost.standard());
    const env = host.env();
    await nodeNew(env, IQN, portal('127.0.0.2'));
    const moved: HostEnv = {
      ...env,
      exec: {
        async run(file, args, opts) {
          const r = await env.exec.run(file, args, opts);
          // mirror the whole DB into the second root after each call
          cpSync(join(host.root, 'etc/iscsi/nodes'), join(host.root, 'var/lib/iscsi/nodes'), { recursive: true });
          return r;
        },
      },
      roots: { ...env.roots, iscsiDb: [join(host.root, 'var/lib/iscsi/nodes')] },
    };
    await setChap(moved, IQN, portal('127.0.0.2'), { user: 'u1', secret: SECRET });
    expect(field(join(host.root, 'var/lib/iscsi/nodes', IQN, '127.0.0.2,3260,-1', 'default'), 'node.session.auth.password')).toBe(SECRET);
  });

  test('a placeholder found in two records is refused, and the record is reset to no CHAP', async () => {
    h = FakeHost.standard();
    const env = h.env();
    for (const a of ['127.0.0.2', '127.0.0.3']) await nodeNew(env, IQN, portal(a));
    const other = recordFile(h, '127.0.0.3');
    const rogue = withRogueDb(env, (ph) => writeFileSync(other, `${readFileSync(other, 'utf8')}node.session.auth.password = ${ph}\n`));
    await expect(setChap(rogue, IQN, portal('127.0.0.2'), { user: 'u1', secret: SECRET })).rejects.toThrow(
      /expected the placeholder in exactly one node record, found 2/,
    );
    const mine = recordFile(h, '127.0.0.2');
    expect(field(mine, 'node.session.auth.authmethod')).toBe('None');
    expect(field(mine, 'node.session.auth.password')).toBe('');
    expect(readFileSync(other, 'utf8')).not.toContain(SECRET);
  });

  test('a placeholder that landed in another portal record only is never edited', async () => {
    h = FakeHost.standard();
    const env = h.env();
    for (const a of ['127.0.0.2', '127.0.0.20']) await nodeNew(env, IQN, portal(a));
    const mine = recordFile(h, '127.0.0.2');
    const other = recordFile(h, '127.0.0.20');
    const rogue = withRogueDb(env, (ph) => {
      writeFileSync(other, `${readFileSync(other, 'utf8')}node.session.auth.password = ${ph}\n`);
      writeFileSync(mine, readFileSync(mine, 'utf8').replace(ph, 'gone'));
    });
    await expect(setChap(rogue, IQN, portal('127.0.0.2'), { user: 'u1', secret: SECRET })).rejects.toThrow(
      /landed in another record .*127\.0\.0\.20,3260,-1.*refusing to edit it/,
    );
    expect(readFileSync(other, 'utf8')).not.toContain(SECRET);
  });

  test('a placeholder that is not the password value is refused', async () => {
    h = FakeHost.standard();
    const env = h.env();
    await nodeNew(env, IQN, portal('127.0.0.2'));
    const mine = recordFile(h, '127.0.0.2');
    const rogue = withRogueDb(env, (ph) =>
      writeFileSync(mine, readFileSync(mine, 'utf8').replace(`password = ${ph}`, `password = x\nnode.session.auth.username_in = ${ph}`)),
    );
    await expect(setChap(rogue, IQN, portal('127.0.0.2'), { user: 'u1', secret: SECRET })).rejects.toThrow(
      /does not hold the placeholder as its password value/,
    );
  });
});

test('clearChap: authmethod None, empty user and password', async () => {
  h = FakeHost.standard();
  const env = h.env();
  await nodeNew(env, IQN, portal('127.0.0.2'));
  await setChap(env, IQN, portal('127.0.0.2'), { user: 'u1', secret: SECRET });
  await clearChap(env, IQN, portal('127.0.0.2'));
  const f = recordFile(h, '127.0.0.2');
  expect([
    field(f, 'node.session.auth.authmethod'),
    field(f, 'node.session.auth.username'),
    field(f, 'node.session.auth.password'),
  ]).toEqual(['None', '', '']);
});

test('validateChap refuses what cannot live on one record line, without echoing the secret', () => {
  expect(() => validateChap({ user: 'u1', secret: 'with space-123' })).toThrow(/whitespace or control/);
  expect(() => validateChap({ user: 'u1', secret: 'line\nbreak-123' })).toThrow(/^((?!line).)*$/);
  expect(() => validateChap({ user: '-bad', secret: 'good-secret-123' })).toThrow(/CHAP user name/);
  expect(() => validateChap({ user: 'pve_user-1', secret: 'good-secret-123' })).not.toThrow();
});
