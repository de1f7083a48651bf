// `npm run bench`: start-up time, REST requests per operation, listing at scale and failover
// cost — every figure printed next to a baseline measured in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compare, JDSSC, median, ROOT, startFakeJournal, startSimulator, timeRun } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
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
  const version = compare(RUNS, () => timeRun(JDSSC, ['--version'], sim.env).ms, nodeNothing);
  row('cold start: jdssc --version', ms(version.value), `node -e 0: ${ms(version.baseline)}`, '≤ 1.3×', ratio(version));
  const stats = compare(RUNS, () => jd(['pool', 'stats', '--json']).ms, nodeNothing);
  row('cold start: jdssc pool stats --json', ms(stats.value), `node -e 0: ${ms(stats.baseline)}`, '≤ 1.3×', ratio(stats));
  const raw = compare(RUNS, () => rawHttpsGet(sim), nodeNothing);
  row('  floor: one https GET from a fresh node', ms(raw.value), `node -e 0: ${ms(raw.baseline)}`, 'reference', ratio(raw));

  // --- 2. REST requests per operation ---------------------------------------------------------
  const count = async (args) => {
    await sim.control('DELETE', '/requests');
    jd([...args, '--json']);
    const r = await sim.control('GET', '/requests');
    return r.entries.length;
  };
  const ops = [
    ['pool stats', ['pool', 'stats'], 1],
    ['volume create', ['volume', 'create', 'vm-100-disk-0', '--size', '1G'], 2],
    ['volume list (few volumes)', ['volume', 'list'], 1],
    ['snapshot create', ['snapshot', 'create', 'vm-100-disk-0', 'snap1'], 1],
    ['rollback check', ['snapshot', 'rollback', 'vm-100-disk-0', 'snap1', '--check'], 3],
    ['publish onto a new target', ['target', 'publish', 'vm-100-disk-0'], 7],
    ['publish onto an existing target', ['target', 'publish', 'vm-100-disk-1'], 7],
    ['publish (already published)', ['target', 'publish', 'vm-100-disk-0'], 3],
    ['unpublish', ['target', 'unpublish', 'vm-100-disk-1'], 4],
    ['delete with 3 snapshots', ['volume', 'delete', 'vm-100-disk-2', '--cascade'], 2],
  ];
  jd(['volume', 'create', 'vm-100-disk-1', '--size', '1G']);
  jd(['volume', 'create', 'vm-100-disk-2', '--size', '1G']);
  for (const s of ['a', 'b', 'c']) jd(['snapshot', 'create', 'vm-100-disk-2', s]);
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

  // --- 3. listing at scale -------------------------------------------------------------------
  const listTimes = {};
  for (const n of [1000, 10000]) {
    await sim.control('POST', '/seed', { pool: 'Pool-0', volumes: n - Object.keys(listTimes).length * 1000, prefix: `v_vm-${n}-disk-` });
    const rss = join(sim.dir, `rss-${n}`);
    const runs = [];
    for (let i = 0; i < 5; i++)
      runs.push(
        timeRun(process.execPath, ['-r', join(ROOT, 'bench', 'report-rss.cjs'), JDSSC, '-c', sim.config, 'volume', 'list', '--json'], {
          ...sim.env,
          BENCH_RSS_FILE: rss,
        }).ms,
      );
    listTimes[n] = { ms: median(runs), rssMb: Number(readFileSync(rss, 'utf8')) / 1024 };
  }
  const t1k = listTimes[1000];
  const t10k = listTimes[10000];
  row('volume list, 1 000 volumes', `${ms(t1k.ms)}, ${t1k.rssMb.toFixed(0)} MB peak`, '', '', '');
  row(
    'volume list, 10 000 volumes',
    `${ms(t10k.ms)}, ${t10k.rssMb.toFixed(0)} MB peak`,
    `1 000 volumes: ${ms(t1k.ms)}`,
    '≤ 2 s, linear',
    t10k.ms <= 2000 && t10k.ms / t1k.ms <= 12
      ? `ok (${(t10k.ms / t1k.ms).toFixed(1)}× for 10× the volumes)`
      : `MISS (${(t10k.ms / t1k.ms).toFixed(1)}×)`,
  );
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
} finally {
  await sim.stop();
}

printTable();

function ratio({ value, baseline }) {
  return `${(value / baseline).toFixed(2)}×`;
}

function rawHttpsGet(s) {
  const cfg = readFileSync(s.config, 'utf8');
  const port = /control_port: (\d+)/.exec(cfg)[1];
  const script = `require('https').get({host:'127.0.0.1',port:${port},path:'/api/v4/pools/Pool-0',ca:require('fs').readFileSync(${JSON.stringify(join(s.dir, 'ca.pem'))}),auth:'admin:'+require('fs').readFileSync(${JSON.stringify(join(s.dir, 'password'))},'utf8').trim()},r=>r.resume())`;
  return timeRun(process.execPath, ['-e', script], s.env).ms;
}

function printTable() {
  const head = ['measure', 'value', 'baseline (same run)', 'goal', 'result'];
  const data = rows.map((r) => [r.measure, r.value, r.baseline, r.goal, r.ok]);
  const w = head.map((h, i) => Math.max(h.length, ...data.map((d) => String(d[i]).length)));
  const line = (cells) =>
    cells
      .map((c, i) => String(c).padEnd(w[i]))
      .join('  ')
      .trimEnd();
  console.log(`\njdssc benchmark (node ${process.version}, ${RUNS} runs per start-up figure, medians)\n`);
  console.log(line(head));
  console.log(w.map((x) => '-'.repeat(x)).join('  '));
  for (const d of data) console.log(line(d));
}
