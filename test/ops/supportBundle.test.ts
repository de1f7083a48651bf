// `jdssc support-bundle`: one tar.gz with every part a support case needs, and not one secret.
// Known secrets are planted everywhere they could leak from (password file, YAML, environment,
// CHAP in node records, storage.cfg, the log file); every file of the extracted tar is scanned.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import * as tar from 'tar';
import { cliEnv, type CliEnv } from '../helpers/cli';

const CHAP = 'Chap-Bundle-Secret-51d2';
const YAML_SECRET = 'Yaml-Bundle-Secret-8c1f';
const ENV_SECRET = 'Env-Bundle-Secret-0a9e';
const CFG_SECRET = 'Cfg-Bundle-Secret-77aa';
const NODE_IN_SECRET = 'Node-In-Secret-3b3b';
const LOG_SECRET = 'Log-Bundle-Secret-e4e4';
const PREFIX = 'iqn.2025-04.proxmox.joviandss.iscsi';

let env: CliEnv;
let pwFile: string;
let log: string;
let wwid: string;
beforeAll(async () => {
  env = await cliEnv({
    fakeHost: true,
    configExtra: `multipath: true\nchap_enabled: true\nchap_user_name: pvechap\nuser_password: ${YAML_SECRET}`,
  });
  pwFile = join(env.dir, 'both.pw');
  writeFileSync(pwFile, `user_password ${env.password}\nchap_user_password ${CHAP}\n`, { mode: 0o600 });
  log = join(env.dir, 'jdssc.log');
  const root = env.host!.root;
  // storage.cfg: one of ours (with a secret someone put there) and one that is not ours
  mkdirSync(join(root, 'etc/pve'), { recursive: true });
  writeFileSync(
    join(root, 'etc/pve/storage.cfg'),
    `dir: local\n\tpath /var/lib/vz\n\tcontent iso\n\njoviandss: jdss-Pool-0\n\tpool_name Pool-0\n\tuser_password ${CFG_SECRET}\n\tchap_user_password ${CHAP}\n\tcontent images\n`,
  );
  mkdirSync(join(root, 'var/lib/dpkg'), { recursive: true });
  writeFileSync(
    join(root, 'var/lib/dpkg/status'),
    'Package: open-iscsi\nStatus: install ok installed\nVersion: 2.1.8-1\n\nPackage: multipath-tools\nStatus: install ok installed\nVersion: 0.9.4-3\n',
  );
  // a log file from an older tool that did not redact
  writeFileSync(log, `2026-01-01 00:00:00.000 - jdssc - DEBUG - login user_password=${LOG_SECRET}\nold line with ${env.password} in it\n`, {
    mode: 0o600,
  });
  const run = (args: string[]) => env.run(['--password-file', pwFile, '--log-file', log, ...args]);
  expect((await run(['volume', 'create', 'vm-100-disk-0', '--size', '1G'])).code).toBe(0);
  const a = await run(['login', 'activate', 'vm-100-disk-0', '--json']);
  expect(a.code).toBe(0);
  wwid = (a.json as unknown as { wwid: string }).wwid;
  // a node record holding CHAP secrets in both directions
  const rec = join(root, 'etc/iscsi/nodes', `${PREFIX}:vm-999-0`, '127.0.0.2,3260,1');
  mkdirSync(rec, { recursive: true });
  writeFileSync(
    join(rec, 'default'),
    `node.name = ${PREFIX}:vm-999-0\nnode.session.auth.username = pvechap\nnode.session.auth.password = ${CHAP}\nnode.session.auth.password_in = ${NODE_IN_SECRET}\n`,
  );
});
afterAll(async () => env.close());

/** The --json answer of support-bundle. */
interface Answer {
  output: string;
  files: string[];
  skipped: Array<{ part: string; reason: string }>;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

test('the bundle holds every part and no planted secret in any file', async () => {
  const out = join(env.dir, 'case.tar.gz');
  const r = await env.run(['--password-file', pwFile, '--log-file', log, 'support-bundle', '--output', out, '--json'], {
    env: { JDSSC_PASSWORD: ENV_SECRET },
  });
  expect(r.code).toBe(0);
  expect(statSync(out).mode & 0o777).toBe(0o600);
  const x = join(env.dir, 'extracted');
  mkdirSync(x);
  await tar.x({ file: out, cwd: x });
  const [top] = readdirSync(x);
  expect(top).toMatch(/^jdssc-support-.+-\d{8}T\d{6}Z$/);
  const files = filesUnder(join(x, top)).map((f) => relative(join(x, top), f));
  for (const f of [
    'manifest.json',
    'versions.json',
    'settings.json',
    'config.yaml',
    'storage.cfg',
    'pool-check.json',
    'iscsi-sessions.json',
    'lun-records.json',
    'multipath/maps.json',
    `multipath/${wwid}.txt`,
    'jdssc.log',
  ])
    expect(files).toContain(f);
  expect(files.some((f) => f.startsWith(`iscsi-nodes/${PREFIX}:vm-999-0/`))).toBe(true);
  expect((r.json as unknown as Answer).files.sort()).toEqual(files.sort());

  const basic = Buffer.from(`admin:${env.password}`).toString('base64');
  const secrets = [env.password, CHAP, YAML_SECRET, ENV_SECRET, CFG_SECRET, NODE_IN_SECRET, LOG_SECRET, basic];
  for (const f of files) {
    const text = readFileSync(join(x, top, f), 'utf8');
    for (const s of secrets) expect({ file: f, leaked: text.includes(s) }).toEqual({ file: f, leaked: false });
  }
  for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);

  const read = (f: string) => readFileSync(join(x, top, f), 'utf8');
  expect(read('config.yaml')).toMatch(/^user_password: \*\*\*$/m);
  expect(read('storage.cfg')).toMatch(/^joviandss: jdss-Pool-0$/m);
  expect(read('storage.cfg')).toMatch(/^\tuser_password \*\*\*$/m);
  expect(read('storage.cfg')).not.toMatch(/^dir: local/m);
  expect(read('config.yaml')).toMatch(/^password_file: \//m);
  expect(JSON.parse(read('versions.json'))).toMatchObject({ 'open-iscsi': '2.1.8-1', 'multipath-tools': '0.9.4-3', 'pve-manager': null });
  expect(JSON.parse(read('pool-check.json')).status).toBeDefined();
  expect(JSON.parse(read('lun-records.json'))[0]).toMatchObject({ volume: 'vm-100-disk-0', wwid });
  expect(read('jdssc.log')).toContain('user_password=***');
  const manifest = JSON.parse(read('manifest.json'));
  expect(manifest.files.map((m: { path: string }) => m.path)).toContain('pool-check.json');
});

test('an unreachable array or a bare host still gives a bundle; skipped parts say why', async () => {
  const out = join(env.dir, 'bare.tar.gz');
  const bare = join(env.dir, 'bare-root');
  mkdirSync(bare);
  const r = await env.run(['--password-file', pwFile, '--host-root', bare, 'support-bundle', '--output', out, '--skip-array', '--json']);
  expect(r.code).toBe(0);
  const answer = r.json as unknown as Answer;
  const parts = answer.skipped.map((s) => s.part);
  expect(parts).toEqual(expect.arrayContaining(['storage.cfg', 'LUN records', 'log file']));
  expect(answer.files).not.toContain('pool-check.json');
});

test('bad input: one clear line, exit 2', async () => {
  const bad = await env.run(['support-bundle', '--log-lines', 'lots']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toBe('error: --log-lines: expected a whole number, got "lots"\n');
  const missing = await env.run(['support-bundle', '--output', join(env.dir, 'nope', 'x.tar.gz')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/^error: --output .*does not exist\n$/);
  const help = await env.run(['support-bundle', '--help']);
  expect(help.stdout).toMatch(/Examples:[\s\S]*support-bundle --output/);
});
