// `npm run bench`: start-up time and memory, the status cache, REST requests per operation,
// listing and cleanup at scale, failover cost, and (when their modules are there) Proxmox
// operations end to end and the boot storm — every figure printed next to a baseline measured
// in the same run, in one table.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compare, JDSSC, median, printTable, ROOT, rssRun, startFakeJournal, startSimulator, timeRun } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
// BENCH_ONLY=startup,requests,scale,failover,proxmox,bootstorm (comma-separated): only those parts.
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((x) => x.trim())) : undefined;
const part = (name) => ONLY === undefined || ONLY.has(name);
const rows = [];
const row = (measure, value, baseline, goal, ok) => rows.push({ measure, value, baseline, goal, ok });
const ms = (x) => `${x.toFixed(1)} ms`;

if (!existsSync(join(ROOT, 'dist', 'jdssc.cjs'))) spawnSync('make', ['build'], { cwd: ROOT, stdio: 'inherit' });

// --- 1. cold start --------------------------------------------------------------------------
const sim = await startSimulator({ listen: '127.0.0.1,127.0.0.4' });
const jd = (args, extraEnv = {}) => timeRun(JDSSC, ['-c', sim.config, ...args], { ...sim.env, ...extraEnv });
const nodeNothing = () => timeRun(process.execPath, ['-e', '0'], sim.env).ms;
try {
  sim.writeConfig({ control_addresses: '127.0.0.1' });
  jd(['pool', 'stats', '--json']); // warm the code cache and the page cache, like any second run
  if (part('startup')) await startup();
  if (part('requests')) await requests();
  if (part('scale')) await scaleAndSnapshots();
  if (part('failover')) await failover();
} finally {
  await sim.stop();
}

async function startup() {
  const version = compare(RUNS, () => timeRun(JDSSC, ['--version'], sim.env).ms, nodeNothing);
  row('cold start: jdssc --version', ms(version.value), `node -e 0: ${ms(version.baseline)}`, '≤ 1.3×', ratio(version));
  const stats = compare(RUNS, () => jd(['pool', 'stats', '--json']).ms, nodeNothing);
  row('cold start: jdssc pool stats --json', ms(stats.value), `node -e 0: ${ms(stats.baseline)}`, '≤ 1.3×', ratio(stats));
  const raw = compare(RUNS, () => rawHttpsGet(sim), nodeNothing);
  row('  floor: one https GET from a fresh node', ms(raw.value), `node -e 0: ${ms(raw.baseline)}`, 'reference', ratio(raw));
  // The goal of issue 16: pool stats against the floor, side by side in one interleaved series.
  const atFloor = compare(
    RUNS,
    () => jd(['pool', 'stats', '--json']).ms,
    () => rawHttpsGet(sim),
  );
  row('pool stats --json vs the floor', ms(atFloor.value), `one https GET: ${ms(atFloor.baseline)}`, '≤ 1.15×', goal(atFloor, 1.15));
  // Peak resident memory, the same way for all three: bench/report-rss.cjs preloaded.
  const statsArgs = ['-c', sim.config, 'pool', 'stats', '--json'];
  const mem = { stats: [], zero: [], floor: [], cached: [] };
  jd([...statsArgs.slice(2), '--max-age', '300']); // the cache entry the cached runs read
  for (let i = 0; i < Math.min(RUNS, 9); i++) {
    mem.zero.push(rssRun(['-e', '0'], sim.env).rssMb);
    mem.stats.push(rssRun([JDSSC, ...statsArgs], sim.env).rssMb);
    mem.floor.push(rssRun(['-e', rawHttpsGetScript(sim)], sim.env).rssMb);
    mem.cached.push(rssRun([JDSSC, ...statsArgs, '--max-age', '300'], sim.env).rssMb);
  }
  const mb = (xs) => `${median(xs).toFixed(1)} MB`;
  const memRatio = (a, b, max) => {
    const r = median(a) / median(b);
    return `${r <= max ? 'ok' : 'MISS'} (${r.toFixed(2)}×)`;
  };
  row('peak RSS: pool stats --json', mb(mem.stats), `node -e 0: ${mb(mem.zero)}`, '≤ 1.2×', memRatio(mem.stats, mem.zero, 1.2));
  row(
    '  peak RSS: one https GET (the floor)',
    mb(mem.floor),
    `node -e 0: ${mb(mem.zero)}`,
    'reference',
    `${(median(mem.floor) / median(mem.zero)).toFixed(2)}×`,
  );
  row(
    '  peak RSS: pool stats from the status cache',
    mb(mem.cached),
    `node -e 0: ${mb(mem.zero)}`,
    '≤ 1.2×',
    memRatio(mem.cached, mem.zero, 1.2),
  );

  // Before/after in the same run: BENCH_BEFORE=<checkout of an earlier commit, built> runs its
  // bin/jdssc interleaved with this one (same simulator, same config).
  if (process.env.BENCH_BEFORE) {
    const before = join(process.env.BENCH_BEFORE, 'bin', 'jdssc');
    timeRun(before, statsArgs, sim.env); // its code cache
    const ba = compare(
      RUNS,
      () => jd(['pool', 'stats', '--json']).ms,
      () => timeRun(before, statsArgs, sim.env).ms,
    );
    row('pool stats --json: this build vs BENCH_BEFORE', ms(ba.value), `before: ${ms(ba.baseline)}`, 'faster', ratio(ba));
    const rb = [];
    const ra = [];
    for (let i = 0; i < Math.min(RUNS, 9); i++) {
      rb.push(rssRun([before, ...statsArgs], sim.env).rssMb);
      ra.push(rssRun([JDSSC, ...statsArgs], sim.env).rssMb);
    }
    row(
      'peak RSS: pool stats, this build vs BENCH_BEFORE',
      mb(ra),
      `before: ${mb(rb)}`,
      'smaller',
      `${(median(ra) / median(rb)).toFixed(2)}×`,
    );
  }

  // --- 1b. the shared status cache (pvestatd's poll: `pool stats --json --max-age 10`) ------------
  const cachedStats = compare(
    RUNS,
    () => jd(['pool', 'stats', '--json', '--max-age', '300']).ms,
    () => rawHttpsGet(sim),
  );
  row(
    'pool stats --max-age (status cache hit)',
    ms(cachedStats.value),
    `one https GET: ${ms(cachedStats.baseline)}`,
    '≤ 1.15×',
    goal(cachedStats, 1.15),
  );
}

async function requests() {
  // --- 2. REST requests per operation ---------------------------------------------------------
  const count = async (args) => {
    await sim.control('DELETE', '/requests');
    jd([...args, '--json']);
    const r = await sim.control('GET', '/requests');
    return r.entries.length;
  };
  const ops = [
    ['pool stats', ['pool', 'stats'], 1],
    ['pool stats --max-age 10, entry fresh', ['pool', 'stats', '--max-age', '10'], 0],
    ['volume create', ['volume', 'create', 'vm-100-disk-0', '--size', '1G'], 2],
    ['volume list (few volumes)', ['volume', 'list'], 1],
    ['snapshot create', ['snapshot', 'create', 'vm-100-disk-0', 'snap1'], 1],
    ['rollback check', ['snapshot', 'rollback', 'vm-100-disk-0', 'snap1', '--check'], 2],
    ['publish onto a new target', ['target', 'publish', 'vm-100-disk-0'], 7],
    ['publish onto an existing target', ['target', 'publish', 'vm-100-disk-1'], 7],
    ['publish (already published)', ['target', 'publish', 'vm-100-disk-0'], 3],
    ['unpublish', ['target', 'unpublish', 'vm-100-disk-1'], 4],
    ['delete with 3 snapshots', ['volume', 'delete', 'vm-100-disk-2', '--cascade'], 2],
  ];
  jd(['volume', 'create', 'vm-100-disk-1', '--size', '1G']);
  jd(['volume', 'create', 'vm-100-disk-2', '--size', '1G']);
  for (const s of ['a', 'b', 'c']) jd(['snapshot', 'create', 'vm-100-disk-2', s]);
  // the entry the --max-age row reads (after the changes above: a changing command drops it)
  jd(['pool', 'stats', '--json', '--max-age', '10']);
  for (const [name, args, minimal] of ops) {
    const n = await count(args);
    row(
      `REST requests: ${name}`,
      String(n),
      minimal === null ? '' : `minimal: ${minimal}`,
      'minimal',
      minimal === null ? '' : n <= minimal ? 'ok' : `+${n - minimal}`,
    );
  }

  // --- 2b. the audit line's cost: the same changing command with and without its journal line ---
  const journal = await startFakeJournal(sim.dir);
  try {
    const publish = ['target', 'publish', 'vm-100-disk-0', '--json'];
    const audit = compare(
      RUNS,
      () => jd(publish, { JDSSC_JOURNAL_SOCKET: journal.path }).ms,
      () => jd(publish, { JDSSC_JOURNAL_SOCKET: '' }).ms,
    );
    row(
      'audit line: target publish (already published)',
      ms(audit.value),
      `no audit line: ${ms(audit.baseline)}`,
      'not measurable',
      ratio(audit),
    );
  } finally {
    await journal.stop();
  }
  // metrics loads prom-client inside its run; ordinary commands never do
  const metrics = compare(
    5,
    () => jd(['metrics', '--skip-host', '--no-snapshots']).ms,
    () => jd(['pool', 'stats', '--json']).ms,
  );
  row('jdssc metrics (array part, prom-client)', ms(metrics.value), `pool stats: ${ms(metrics.baseline)}`, 'once a minute', ratio(metrics));
}

async function scaleAndSnapshots() {
  // --- 3. listing and cleanup at scale ----------------------------------------------------------
  await scale(sim);

  await sim.control('POST', '/seed', { pool: 'Pool-0', volumes: 1, prefix: 'v_many-snaps-', snapshotsPerVolume: 1000 });
  const snapList = compare(
    5,
    () => jd(['snapshot', 'list', 'many-snaps-0', '--json']).ms,
    () => jd(['pool', 'stats', '--json']).ms,
  );
  row(
    'snapshot list, 1 000 snapshots',
    ms(snapList.value),
    `pool stats: ${ms(snapList.baseline)}`,
    '',
    `${(snapList.value / snapList.baseline).toFixed(2)}×`,
  );
}

async function failover() {
  // --- 4. a dead first control address ----------------------------------------------------------
  sim.writeConfig({ control_addresses: '127.0.0.4,127.0.0.1', connect_timeout: 1 });
  await sim.control('POST', '/addresses/127.0.0.4', { blackhole: true });
  rmSync(join(sim.dir, 'state'), { recursive: true, force: true });
  const first = jd(['pool', 'stats', '--json']).ms;
  const later = median([0, 1, 2, 3, 4].map(() => jd(['pool', 'stats', '--json']).ms));
  sim.writeConfig({ control_addresses: '127.0.0.1' });
  const healthy = median([0, 1, 2, 3, 4].map(() => jd(['pool', 'stats', '--json']).ms));
  row(
    'dead first address (connect timeout 1 s): first run',
    ms(first),
    `healthy: ${ms(healthy)}`,
    '≤ 1 connect timeout extra',
    first - healthy <= 1200 ? 'ok' : 'MISS',
  );
  row('dead first address: later runs', ms(later), `healthy: ${ms(healthy)}`, 'avoids it', later - healthy <= 50 ? 'ok' : 'MISS');
}

// --- 5. other helpers' figures: Proxmox operations end to end, the boot storm ------------------
// Each module runs its own simulator (and fake host); a module that is not there yet is skipped.
for (const name of ['proxmox.mjs', 'bootstorm.mjs']) {
  if (!part(name.replace('.mjs', ''))) continue;
  const file = join(ROOT, 'bench', name);
  if (!existsSync(file)) {
    row(`bench/${name}`, 'not there yet', '', '', 'skipped');
    continue;
  }
  try {
    const mod = await import(pathToFileURL(file).href);
    await mod.run(row);
  } catch (e) {
    row(`bench/${name}`, `failed: ${String(e?.message ?? e).split('\n')[0]}`, '', '', 'ERROR');
  }
}

console.log(`\njdssc benchmark (node ${process.version}, ${RUNS} runs per start-up figure, medians)\n`);
printTable(rows);

function ratio({ value, baseline }) {
  return `${(value / baseline).toFixed(2)}×`;
}

function goal({ value, baseline }, max) {
  return `${value / baseline <= max ? 'ok' : 'MISS'} (${(value / baseline).toFixed(2)}×)`;
}

/** The floor: a fresh node doing nothing but one HTTPS GET of the pool, with the same CA and password. */
function rawHttpsGetScript(s) {
  const cfg = readFileSync(s.config, 'utf8');
  const port = /control_port: (\d+)/.exec(cfg)[1];
  return `require('https').get({host:'127.0.0.1',port:${port},path:'/api/v4/pools/Pool-0',ca:require('fs').readFileSync(${JSON.stringify(join(s.dir, 'ca.pem'))}),auth:'admin:'+require('fs').readFileSync(${JSON.stringify(join(s.dir, 'password'))},'utf8').trim()},r=>r.resume())`;
}

function rawHttpsGet(s) {
  return timeRun(process.execPath, ['-e', rawHttpsGetScript(s)], s.env).ms;
}

/**
 * `volume list` and `cleanup` (dry run, array side) at 1/10 and full scale: 10 000 volumes (a
 * tenth of them of a VM that no longer exists), 2 snapshots each, and 2 000 targets with one LUN
 * each. Volumes and snapshots come from the control API's bulk seed; targets and LUNs (which it
 * does not make) through the REST API. Time and peak RSS of each, the REST requests cleanup
 * sends, and the ratio small → large (linear: ~10×).
 */
async function scale(sim) {
  const SCALES = [1000, 10000];
  const prefix = 'iqn.2025-04.proxmox.joviandss.iscsi'; // the default target_prefix
  const have = { kept: 0, orphan: 0, targets: 0 };
  const figures = {};
  const RUNS_AT_SCALE = Number(process.env.BENCH_SCALE_RUNS ?? 3);
  for (const n of SCALES) {
    const kept = Math.round(n * 0.9) - have.kept;
    const orphan = n - Math.round(n * 0.9) - have.orphan;
    process.stderr.write(`bench: seeding ${n} volumes, ${2 * n} snapshots, ${n / 5} targets\n`);
    await sim.control('POST', '/seed', { pool: 'Pool-0', volumes: kept, prefix: 'v_vm-101-disk-', snapshotsPerVolume: 2 });
    await sim.control('POST', '/seed', { pool: 'Pool-0', volumes: orphan, prefix: 'v_vm-999-disk-', snapshotsPerVolume: 2 });
    have.kept += kept;
    have.orphan += orphan;
    // A keep-alive socket the simulator closed meanwhile fails with ECONNRESET before the request
    // was read; the retry of a create that did land answers 409, which is the wanted state.
    const seed = async (path, body) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await sim.rest('POST', path, body);
        } catch (e) {
          if (attempt > 1 && / 409 /.test(e.message)) return undefined;
          if (attempt >= 5 || e.code !== 'ECONNRESET') throw e;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    };
    const targets = n / 5;
    for (let j = have.targets; j < targets; j += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, targets - j) }, async (_, k) => {
          const name = `${prefix}:vm-${2000 + j + k}-0`;
          await seed('/san/iscsi/targets', { name, active: true, incoming_users_active: false });
          await seed(`/san/iscsi/targets/${name}/luns`, { name: `v_vm-101-disk-${j + k}`, lun: 0 });
        }),
      );
    }
    have.targets = targets;
    const measure = (args, okCodes) => {
      const runs = [];
      for (let i = 0; i < RUNS_AT_SCALE; i++) runs.push(rssRun([JDSSC, '-c', sim.config, '--timeout', '900', ...args], sim.env, okCodes));
      return { ms: median(runs.map((r) => r.ms)), rssMb: median(runs.map((r) => r.rssMb)), stdout: runs[0].stdout };
    };
    process.stderr.write(`bench: volume list and cleanup at ${n}\n`);
    const list = measure(['volume', 'list', '--json']);
    const listed = JSON.parse(list.stdout).volumes.length;
    await sim.control('DELETE', '/requests');
    const cleanup = measure(['cleanup', '--only', 'array', '--vmids', '100,101', '--json'], [0, 10]);
    const requests = (await sim.control('GET', '/requests')).entries.length / RUNS_AT_SCALE;
    const found = JSON.parse(cleanup.stdout).items.length;
    figures[n] = { list, cleanup, requests, listed, found };
  }
  const [small, large] = SCALES.map((n) => figures[n]);
  const label = (n) => `${n / 1000}k vols, ${(2 * n) / 1000}k snaps, ${n / 5} targets`;
  const linear = (a, b) => `${b / a <= 12 ? 'ok' : 'MISS'} (${(b / a).toFixed(1)}× for 10×)`;
  for (const n of SCALES) {
    const f = figures[n];
    row(
      `volume list, ${label(n)}`,
      `${ms(f.list.ms)}, ${f.list.rssMb.toFixed(0)} MB peak`,
      `${f.listed} listed`,
      n === 10000 ? '≤ 2 s' : '',
      n === 10000 ? (f.list.ms <= 2000 ? 'ok' : 'MISS') : '',
    );
    row(
      `cleanup --only array (dry run), ${label(n)}`,
      `${ms(f.cleanup.ms)}, ${f.cleanup.rssMb.toFixed(0)} MB peak, ${Math.round(f.requests)} requests`,
      `${f.found} found`,
      '',
      '',
    );
  }
  row(
    '  volume list 1k → 10k: time / peak RSS',
    linear(small.list.ms, large.list.ms),
    `RSS ${(large.list.rssMb / small.list.rssMb).toFixed(1)}×`,
    'linear',
    '',
  );
  row(
    '  cleanup 1k → 10k: time / requests',
    linear(small.cleanup.ms, large.cleanup.ms),
    `requests ${(large.requests / small.requests).toFixed(1)}×`,
    'linear',
    '',
  );
}
