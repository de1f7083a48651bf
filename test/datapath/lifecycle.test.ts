// The tgt data path's life: `jdssc simulator start --data-path tgt`, restart from a state file
// (targets and images come back), and start failures that are clear and leave no tgtd behind.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { build } from 'esbuild';
import { startSimulator } from '../../src/simulator';
import { freePortOn } from '../../src/simulator/dataPath/ports';
import { simulatorMain } from '../../src/simulator/main';
import { runCli } from '../helpers/cli';
import { tempDir } from '../helpers/tmp';
import { call, poolPath } from '../simulator/client';
import { MiniInitiator } from './helpers/initiator';
import { discover, offered, requireTools } from './helpers/tools';

const tmp = tempDir('jdssc-dplife-');
beforeAll(() => requireTools(['tgtd', 'tgtadm', 'iscsi-ls', 'cp']));
afterAll(() => tmp.cleanup());

/** tgtd processes serving this port (scanning /proc: read-only, nothing is signalled). */
function tgtdOn(port: number): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (cmd[0].endsWith('tgtd') && cmd.some((a) => a.endsWith(`:${port}`))) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('jdssc simulator start --data-path tgt', () => {
  test('ready file names the data path; the portals serve iSCSI; a stop leaves no tgtd', async () => {
    const port = await freePortOn(['127.0.0.2', '127.0.0.3']);
    const ready = join(tmp.dir, 'ready.json');
    let stop!: () => void;
    const untilStopped = new Promise<void>((r) => (stop = r));
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => (text += c));
    const main = simulatorMain(
      { listen: ['127.0.0.1'], readyFile: ready, dataPath: { kind: 'tgt', dataDir: join(tmp.dir, 'd1'), port } },
      { stdout: out, stderr: out },
      { untilStopped },
    );
    for (let i = 0; i < 200 && !text.includes('data path'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(text).toContain(`data path: tgt on 127.0.0.2:${port}, 127.0.0.3:${port}`);
    expect(JSON.parse(readFileSync(ready, 'utf8')).dataPath).toEqual({
      kind: 'tgt',
      port,
      portals: ['127.0.0.2', '127.0.0.3'],
      dataDir: join(tmp.dir, 'd1'),
    });
    expect(await offered('127.0.0.2', port)).toEqual([]); // no target yet
    expect(tgtdOn(port)).toHaveLength(2);
    stop();
    expect(await main).toBe(0);
    expect(tgtdOn(port)).toEqual([]);
  });

  test('flag errors are usage errors', async () => {
    const env = { JDSSC_STATE_DIR: join(tmp.dir, 'state') };
    const a = await runCli(['simulator', 'start', '--data-path', 'tgt'], env);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--data-path needs --data-dir/);
    expect((await runCli(['simulator', 'start', '--data-path', 'scst', '--data-dir', tmp.dir], env)).code).toBe(2);
  });
});

describe('restart from a state file', () => {
  test('targets, LUNs, CHAP and image contents come back', async () => {
    const port = await freePortOn(['127.0.0.2', '127.0.0.3']);
    const opts = {
      listen: ['127.0.0.1'],
      seed: 5,
      stateFile: join(tmp.dir, 'state.json'),
      dataPath: { kind: 'tgt' as const, dataDir: join(tmp.dir, 'd2'), port },
    };
    const target = 'iqn.2025-01.test:persist';
    const chap = { user: 'u1', secret: 'persist-Secret-1' };
    const sim1 = await startSimulator(opts);
    const rest = (method: string, path: string, body?: unknown) => call(sim1, method, poolPath(path), { body });
    expect((await rest('POST', '/volumes', { name: 'v1', size: '8M', sparse: true })).status).toBe(201);
    const fh = await open(sim1.dataPath!.imagePath('Pool-0', 'v1'), 'r+');
    await fh.write(Buffer.alloc(512, 'Z'), 0, 512, 0);
    await fh.close();
    expect(
      (
        await rest('POST', '/san/iscsi/targets', {
          name: target,
          incoming_users_active: true,
          vip_allowed_portals: { enabled: true, assigned_vips: ['vip1'] },
        })
      ).status,
    ).toBe(201);
    expect((await rest('POST', `/san/iscsi/targets/${target}/luns`, { name: 'v1' })).status).toBe(201);
    expect((await rest('POST', `/san/iscsi/targets/${target}/incoming-users`, { name: chap.user, password: chap.secret })).status).toBe(
      201,
    );
    await sim1.close();
    expect(tgtdOn(port)).toEqual([]);

    const sim2 = await startSimulator(opts);
    try {
      expect(await discover('127.0.0.3', port)).toEqual([target]);
      await expect(MiniInitiator.login({ host: '127.0.0.3', port, target })).rejects.toThrow(/status class 2/);
      const ini = await MiniInitiator.login({ host: '127.0.0.3', port, target, chap });
      await ini.capacity(1);
      expect(await ini.read(1, 0, 512)).toEqual(Buffer.alloc(512, 'Z'));
      await ini.logout();
    } finally {
      await sim2.close();
    }
  });
});

describe('restart with a dangling LUN', () => {
  test('a LUN whose zvol was destroyed out of band: the restart serves the rest, and the LUN can still be detached', async () => {
    const port = await freePortOn(['127.0.0.2', '127.0.0.3']);
    const opts = {
      listen: ['127.0.0.1'],
      seed: 6,
      stateFile: join(tmp.dir, 'state-dangling.json'),
      dataPath: { kind: 'tgt' as const, dataDir: join(tmp.dir, 'd6'), port },
    };
    const target = 'iqn.2025-01.test:dangling';
    const sim1 = await startSimulator(opts);
    const rest1 = (method: string, path: string, body?: unknown) => call(sim1, method, poolPath(path), { body });
    for (const name of ['keep', 'gone']) expect((await rest1('POST', '/volumes', { name, size: '4M', sparse: true })).status).toBe(201);
    expect(
      (await rest1('POST', '/san/iscsi/targets', { name: target, vip_allowed_portals: { enabled: true, assigned_vips: ['vip1'] } })).status,
    ).toBe(201);
    for (const name of ['keep', 'gone']) expect((await rest1('POST', `/san/iscsi/targets/${target}/luns`, { name })).status).toBe(201);
    sim1.destroyOutOfBand('Pool-0', 'gone');
    await sim1.close();

    const sim2 = await startSimulator(opts);
    try {
      const rest2 = (method: string, path: string, body?: unknown) => call(sim2, method, poolPath(path), { body });
      expect((await rest2('GET', `/san/iscsi/targets/${target}/luns`)).json.data.map((l: { name: string }) => l.name)).toEqual([
        'keep',
        'gone',
      ]);
      expect(await discover('127.0.0.3', port)).toEqual([target]);
      expect((await rest2('DELETE', `/san/iscsi/targets/${target}/luns/gone`)).status).toBe(204);
      expect((await rest2('GET', `/san/iscsi/targets/${target}/luns`)).json.data.map((l: { name: string }) => l.name)).toEqual(['keep']);
    } finally {
      await sim2.close();
    }
    expect(tgtdOn(port)).toEqual([]);
  });
});

describe('start failures are clear and leave nothing running', () => {
  test('a portal that is taken', async () => {
    const port = await freePortOn(['127.0.0.2', '127.0.0.3']);
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen({ host: '127.0.0.3', port }, r));
    try {
      await expect(
        startSimulator({ listen: ['127.0.0.1'], dataPath: { kind: 'tgt', dataDir: join(tmp.dir, 'd3'), port } }),
      ).rejects.toThrow(new RegExp(`tgtd could not listen on 127\\.0\\.0\\.3:${port}`));
      expect(tgtdOn(port)).toEqual([]);
    } finally {
      squatter.close();
    }
  });

  test('tgtd missing', async () => {
    await expect(
      startSimulator({
        listen: ['127.0.0.1'],
        dataPath: { kind: 'tgt', dataDir: join(tmp.dir, 'd4'), port: 0, tgtd: '/nonexistent/tgtd' },
      }),
    ).rejects.toThrow(/tgtd for 127\.0\.0\.2:\d+ exited at start.*not found/);
  });

  test('a VIP that is not loopback', async () => {
    await expect(
      startSimulator({
        listen: ['127.0.0.1'],
        pools: [{ name: 'Pool-0', vips: [{ name: 'v', address: '10.1.2.3' }] }],
        dataPath: { kind: 'tgt', dataDir: join(tmp.dir, 'd5') },
      }),
    ).rejects.toThrow(/refusing non-loopback VIP address\(es\): 10\.1\.2\.3/);
  });
});

describe('the watchdog', () => {
  test('a simulator process that is killed outright (SIGKILL) takes its tgtd with it', async () => {
    const port = await freePortOn(['127.0.0.2', '127.0.0.3']);
    const entry = join(tmp.dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { startSimulator } from ${JSON.stringify(join(process.cwd(), 'src/simulator/index.ts'))};
await startSimulator({ listen: ['127.0.0.1'], dataPath: { kind: 'tgt', dataDir: process.argv[2], port: Number(process.argv[3]) } });
console.log('ready');
setInterval(() => undefined, 1000);
`,
    );
    const bundle = join(tmp.dir, 'sim.mjs');
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    const child = spawn(process.execPath, [bundle, join(tmp.dir, 'd6'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`simulator child exited ${code}`)));
      });
      expect(tgtdOn(port)).toHaveLength(2);
    } finally {
      child.kill('SIGKILL');
    }
    for (let i = 0; i < 100 && tgtdOn(port).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tgtdOn(port)).toEqual([]);
  });
});
