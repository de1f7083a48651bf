// Host tier, real iscsiadm: `jdssc login activate` against a simulator whose tgt data path
// really serves the target, with the real open-iscsi iscsiadm in a private mount namespace.
// The host kernel has no iSCSI, so iscsid cannot run and the login must fail the way it does
// on a broken Proxmox node: exit 9, a message naming iscsid, and nothing left behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cliEnv, type CliEnv } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { freePortOn } from '../../src/simulator/dataPath/ports';
import { privateHost, type PrivateHost } from './helpers/privateIscsiadm';
import { discover, requireTools } from './helpers/tools';

const PREFIX = 'iqn.2025-04.proxmox.joviandss.iscsi';
let env: CliEnv;
let host: PrivateHost;
let port: number;
const dir = tempDir('jdssc-iscsiadm-');

function walk(d: string): string[] {
  return existsSync(d)
    ? readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]))
    : [];
}

beforeAll(async () => {
  requireTools(['tgtd', 'tgtadm', 'iscsi-ls', 'iscsiadm', 'unshare', 'cp']);
  host = await privateHost(dir.dir);
  port = await freePortOn(['127.0.0.2', '127.0.0.3']);
  env = await cliEnv({
    dataPath: { kind: 'tgt', dataDir: join(dir.dir, 'data'), port },
    configExtra: [`data_port: ${port}`, `host_root: ${host.root}`, `host_tools_dir: ${host.tools}`, 'storage_id: jdss-real'].join('\n'),
  });
  expect((await env.run(['volume', 'create', 'vm-300-disk-0', '--size', '16M'])).code).toBe(0);
});
afterAll(async () => {
  await env?.close();
  dir.cleanup();
});

describe('jdssc login activate with the real iscsiadm (no iscsid on this host)', () => {
  test('the login fails with exit 9 and says iscsid cannot be reached; the array side was published', async () => {
    const r = await env.run(['login', 'activate', 'vm-300-disk-0', '--json']);
    expect(r.code).toBe(9);
    expect(r.stderr).toMatch(/could not log in to any portal of iqn\.2025-04\.proxmox\.joviandss\.iscsi:vm-300-0/);
    expect(r.stderr).toMatch(/could not connect to iscsid/);
    expect(r.stderr).not.toMatch(/System has not been booted with systemd/); // daemon noise is filtered
    // the publish step happened for real: the target is served by tgtd on both VIPs
    expect(await discover('127.0.0.2', port)).toEqual([`${PREFIX}:vm-300-0`]);
    // real exit codes were met: record editing worked (0), the login exited 20
    const calls = readFileSync(host.callLog, 'utf8');
    expect(calls).toMatch(/-o new -> 0/);
    expect(calls).toMatch(/--login -> 20/);
    expect(calls).toMatch(/-p 127\.0\.0\.3:\d+ -o delete -> 0/); // the undo removed the records it made
    expect(calls).toMatch(/-m session -> 21/);
    expect(calls).not.toMatch(/^(multipath|multipathd|dmsetup|blockdev) /m); // multipath is off
  });

  test('nothing is left behind: no node record, no LUN record, no discovery record', async () => {
    const nodes = await host.iscsiadm(['-m', 'node']);
    expect(nodes.code).toBe(21); // "No records found"
    expect(walk(join(host.root, 'etc/iscsi/nodes'))).toEqual([]);
    expect(walk(join(host.root, 'etc/iscsi/send_targets'))).toEqual([]);
    expect(walk(join(host.root, 'var/lib/jdssc/luns'))).toEqual([]);
    expect((await env.run(['login', 'list', '--json'])).json.records).toEqual([]);
  });

  test('the host /etc/iscsi was never touched', () => {
    expect(existsSync('/etc/iscsi/nodes') ? walk('/etc/iscsi/nodes').filter((f) => f.includes('vm-300')) : []).toEqual([]);
  });
});
