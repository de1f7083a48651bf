// Shared bench plumbing: a simulator in its own process (so it does not compete inside the
// measured process), a config pointing at it, and helpers to time jdssc runs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const JDSSC = join(ROOT, 'bin', 'jdssc');

export async function startSimulator({ listen = '127.0.0.1' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'jdssc-bench-'));
  const password = `bench-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'password'), `${password}\n`, { mode: 0o600 });
  const child = spawn(
    process.execPath,
    [
      JDSSC,
      'simulator',
      'start',
      '--listen',
      listen,
      '--password-file',
      join(dir, 'password'),
      '--ca-file',
      join(dir, 'ca.pem'),
      '--ready-file',
      join(dir, 'ready.json'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let i = 0; i < 200 && !existsSync(join(dir, 'ready.json')); i++) await new Promise((r) => setTimeout(r, 50));
  const ready = JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8'));
  const ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  const config = join(dir, 'jdss.yaml');
  const writeConfig = (extra = {}) => {
    const s = {
      pool_name: 'Pool-0',
      control_addresses: listen,
      control_port: ready.port,
      data_addresses: '127.0.0.2,127.0.0.3',
      password_file: join(dir, 'password'),
      ssl_ca_file: join(dir, 'ca.pem'),
      ...extra,
    };
    writeFileSync(
      config,
      Object.entries(s)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n') + '\n',
      { mode: 0o600 },
    );
  };
  writeConfig();
  const control = (method, path, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: listen.split(',')[0],
          port: ready.port,
          method,
          path: `/__simulator${path}`,
          ca,
          headers: { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(text ? JSON.parse(text) : undefined));
        },
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  return {
    dir,
    config,
    writeConfig,
    control,
    // The journal is off unless a figure turns it on (never audit lines into a developer's journal).
    env: { ...process.env, JDSSC_STATE_DIR: join(dir, 'state'), JDSSC_JOURNAL_SOCKET: '' },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A stand-in for journald's stream socket in its own process: it reads and drops every line. */
export async function startFakeJournal(dir) {
  const path = join(dir, 'journal.sock');
  const child = spawn(process.execPath, ['-e', `require('net').createServer((s) => s.resume()).listen(${JSON.stringify(path)})`], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 20));
  return {
    path,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Wall time of one process run, in ms. */
export function timeRun(cmd, args, env) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Median of n runs, interleaved with the baseline so load drifts hit both equally. */
export function compare(n, measured, baseline) {
  const a = [];
  const b = [];
  for (let i = 0; i < n; i++) {
    b.push(baseline());
    a.push(measured());
  }
  return { value: median(a), baseline: median(b) };
}
