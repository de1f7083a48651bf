// Shared bench plumbing: a simulator in its own process (so it does not compete inside the
// measured process), a config pointing at it, and helpers to time jdssc runs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { Agent, request } from 'node:https';
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
  const control = controlApi({ host: listen.split(',')[0], port: ready.port, password, caPem: ca });
  // The appliance's own REST API over one keep-alive connection: seeding thousands of objects
  // that the control API's bulk seed does not make (targets and their LUNs).
  const agent = new Agent({ keepAlive: true, maxSockets: 4, ca });
  const rest = (method, path, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: listen.split(',')[0],
          port: ready.port,
          method,
          path: `/api/v4/pools/Pool-0${path}`,
          agent,
          headers: { Authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () =>
            res.statusCode < 300
              ? resolve(text ? JSON.parse(text) : undefined)
              : reject(new Error(`${method} ${path}: ${res.statusCode} ${text}`)),
          );
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
    rest,
    // The journal is off unless a figure turns it on (never audit lines into a developer's journal).
    env: { ...process.env, JDSSC_STATE_DIR: join(dir, 'state'), JDSSC_JOURNAL_SOCKET: '' },
    async stop() {
      agent.destroy();
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

/** Wall time of one process run, in ms; `okCodes`: the exit codes that are a success (cleanup's dry run finds: 10). */
export function timeRun(cmd, args, env, okCodes = [0]) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (!okCodes.includes(r.status)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr, code: r.status };
}

/** One `node <args>` run with bench/report-rss.cjs preloaded: wall time and peak RSS (MB). */
export function rssRun(args, env, okCodes = [0]) {
  const file = join(tmpdir(), `jdssc-bench-rss-${process.pid}`);
  try {
    const r = timeRun(process.execPath, ['-r', join(ROOT, 'bench', 'report-rss.cjs'), ...args], { ...env, BENCH_RSS_FILE: file }, okCodes);
    return { ...r, rssMb: Number(readFileSync(file, 'utf8')) / 1024 };
  } finally {
    rmSync(file, { force: true });
  }
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

/** The simulator's control API (its requests are never in the request log). */
export function controlApi({ host = '127.0.0.1', port, password, caPem }) {
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host,
          port: Number(port),
          method,
          path: `/__simulator${path}`,
          ca: caPem,
          agent: false, // a fresh connection: calls are minutes apart, an idle kept socket may be gone
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
}

/** The bench table: {measure, value, baseline, goal, ok} rows in aligned columns. */
export function printTable(rows) {
  const head = ['measure', 'value', 'baseline (same run)', 'goal', 'result'];
  const data = rows.map((r) => [r.measure, r.value, r.baseline, r.goal, r.ok]);
  const w = head.map((h, i) => Math.max(h.length, ...data.map((d) => String(d[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(w[i]))
      .join('  ')
      .trimEnd();
  console.log(line(head));
  console.log(w.map((x) => '-'.repeat(x)).join('  '));
  for (const d of data) console.log(line(d));
}
