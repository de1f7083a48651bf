// Proxmox operations end to end: a VM disk's life through the real PVE::Storage and our plugin
// (bench/proxmox-life.pl, the test/pve tier's loading, the fake host for iSCSI) against one
// simulator. Per operation: wall time of the PVE call, jdssc processes it started, REST
// requests the simulator logged. Baseline (same run): a bare `node -e 0` × the processes the
// operation started — what the processes cost before jdssc does anything at all.
//
//   node bench/proxmox.mjs          (BENCH_PVE_RUNS=5 for more life cycles; medians;
//                                    BENCH_PVE_VERBOSE=1 lists each operation's requests on stderr)
//   export async function run(row)  (row(measure, value, baseline, goal, ok), as in bench/run.mjs)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { controlApi, median, printTable, ROOT, timeRun } from './lib.mjs';

/**
 * The life cycle, in the order Proxmox drives it. `procs`: the plugin methods PVE calls for it
 * (one jdssc process each is the goal); `min`: the REST requests it needs as designed (bench/README.md
 * says why each one is there).
 */
export const OPERATIONS = [
  { op: 'status', what: 'storage_info (pvestatd poll)', procs: 1, min: 1 },
  { op: 'alloc', what: 'vdisk_alloc (free name + create)', procs: 1, min: 4 },
  { op: 'list', what: 'vdisk_list', procs: 1, min: 1 },
  { op: 'size', what: 'volume_size_info', procs: 1, min: 1 },
  { op: 'activate', what: 'activate_volumes (VM start: publish + login)', procs: 1, min: 7 },
  { op: 'path', what: 'path (active: host record)', procs: 1, min: 0 },
  { op: 'snapshot', what: 'volume_snapshot', procs: 1, min: 1 },
  { op: 'resize (active)', what: 'volume_resize of a running VM (+ rescan)', procs: 1, min: 4 },
  { op: 'deactivate', what: 'deactivate_volumes (VM stop)', procs: 1, min: 0 },
  { op: 'rollback check', what: 'volume_rollback_is_possible', procs: 1, min: 2 },
  { op: 'rollback', what: 'volume_snapshot_rollback (checks again, then rolls back)', procs: 1, min: 4 },
  { op: 'snapshot delete', what: 'volume_snapshot_delete', procs: 1, min: 2 },
  { op: 'template', what: 'vdisk_create_base (unpublish + rename)', procs: 1, min: 11 },
  { op: 'linked clone', what: 'vdisk_clone of the template', procs: 1, min: 7 },
  { op: 'free clone', what: 'vdisk_free', procs: 1, min: 3 },
  { op: 'free base', what: 'vdisk_free (PVE lists the clones first)', procs: 2, min: 3 },
];

/**
 * The issue's life cycle of a disk whose VM never starts (no activation: path and resize of an
 * inactive volume), for its figures measured before this round: 23 processes, 42 requests.
 */
export const STOPPED = [
  'status',
  'alloc',
  'list',
  'size',
  'path (inactive)',
  'snapshot',
  'rollback check',
  'rollback',
  'snapshot delete',
  'resize (inactive)',
  'template',
  'linked clone',
  'free clone',
  'free base',
];

export async function run(row, { runs = Number(process.env.BENCH_PVE_RUNS ?? 3) } = {}) {
  const life = await startLife();
  if (life.skip) {
    row('Proxmox operations (real PVE::Storage)', 'skipped', '', '', life.skip);
    return null;
  }
  const per = new Map(OPERATIONS.map((o) => [o.op, { ...o, ms: [], seen: null, reqs: null, errors: [] }]));
  const nodeZero = [];
  const stopped = [];
  try {
    for (let i = 0; i < runs; i++) {
      for (const o of OPERATIONS) {
        const r = await life.measure(o.op);
        const p = per.get(o.op);
        p.ms.push(r.ms);
        // processes and requests are deterministic per operation; keep the largest seen
        if (!p.seen || r.procs.length > p.seen.length) p.seen = r.procs;
        if (!p.reqs || r.requests.length > p.reqs.length) p.reqs = r.requests;
        if (r.error) p.errors.push(r.error);
        if (process.env.BENCH_PVE_VERBOSE)
          process.stderr.write(
            `${o.op}: ${r.procs.join(', ')}\n${r.requests.map((q) => `  ${q.method} ${q.path} ${q.status}\n`).join('')}`,
          );
        nodeZero.push(timeRun(process.execPath, ['-e', '0'], process.env).ms); // interleaved with the operations
      }
    }
    for (let i = 0; i < runs; i++) {
      const cycle = { ms: 0, procs: 0, reqs: 0 };
      for (const op of STOPPED) {
        const r = await life.measure(op);
        if (r.error) throw new Error(`${op}: ${r.error}`);
        cycle.ms += r.ms;
        cycle.procs += r.procs.length;
        cycle.reqs += r.requests.length;
      }
      stopped.push(cycle);
    }
  } finally {
    await life.stop();
  }
  const zero = median(nodeZero);
  const total = { ms: 0, procs: 0, reqs: 0, min: 0, floor: 0, goal: 0 };
  for (const p of per.values()) {
    const ms = median(p.ms);
    const n = p.seen.length;
    total.ms += ms;
    total.procs += n;
    total.reqs += p.reqs.length;
    total.min += p.min;
    total.floor += n * zero;
    total.goal += p.procs;
    const misses = [
      n > p.procs ? `+${n - p.procs} process${n - p.procs > 1 ? 'es' : ''}` : '',
      p.reqs.length > p.min ? `+${p.reqs.length - p.min} req` : '',
      p.errors.length ? `ERROR: ${p.errors[0]}` : '',
    ].filter(Boolean);
    row(
      `PVE ${p.op}: ${p.what}`,
      `${ms.toFixed(0)} ms, ${n} proc (${p.seen.join(', ') || 'none'}), ${p.reqs.length} req (${methods(p.reqs)})`,
      `${n} × node -e 0: ${(n * zero).toFixed(0)} ms`,
      `≤ ${p.procs} proc, ${p.min} req`,
      misses.length ? misses.join(', ') : 'ok',
    );
  }
  row(
    `PVE life cycle total (${per.size} operations)`,
    `${total.ms.toFixed(0)} ms, ${total.procs} proc, ${total.reqs} req`,
    `${total.procs} × node -e 0: ${total.floor.toFixed(0)} ms`,
    `${total.goal} proc, ${total.min} req`,
    `${(total.ms / total.floor).toFixed(2)}× the bare process starts`,
  );
  const last = stopped[stopped.length - 1];
  const stoppedMs = median(stopped.map((c) => c.ms));
  row(
    `PVE life cycle of a stopped VM's disk (${STOPPED.length} operations, the issue's list)`,
    `${stoppedMs.toFixed(0)} ms, ${last.procs} proc, ${last.reqs} req`,
    `${last.procs} × node -e 0: ${(last.procs * zero).toFixed(0)} ms; before this round: 23 proc, 42 req`,
    'fewer processes',
    last.procs < 23 ? `${23 - last.procs} processes and ${42 - last.reqs} requests fewer` : 'MISS',
  );
  return { per, zero, total, stopped };
}

/** "GET 3, POST 1; 2×500": methods in order of first use, then error answers by status (a 500 is how the appliance says a volume does not exist). */
function methods(reqs) {
  const by = new Map();
  const failed = new Map();
  for (const q of reqs) {
    by.set(q.method, (by.get(q.method) ?? 0) + 1);
    if (q.status >= 400) failed.set(q.status, (failed.get(q.status) ?? 0) + 1);
  }
  const text = [...by].map(([m, n]) => `${m} ${n}`).join(', ');
  return failed.size ? `${text}; ${[...failed].map(([s, n]) => `${n}×${s}`).join(', ')}` : text || 'none';
}

async function startLife() {
  const child = spawn('perl', [join(ROOT, 'bench', 'proxmox-life.pl')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-4000)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`bench/proxmox-life.pl ended early: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    return value;
  };
  const first = await next();
  if (first.startsWith('1..0')) {
    await new Promise((r) => child.once('exit', r));
    return { skip: first.replace(/^1\.\.0\s*#\s*SKIP\s*/i, '') };
  }
  const ready = JSON.parse(first);
  const control = controlApi({ port: ready.port, password: ready.password, caPem: readFileSync(ready.ca, 'utf8') });
  let seq = (await control('GET', '/requests?since=1e15')).lastSeq;
  return {
    async measure(op) {
      child.stdin.write(`${op}\n`);
      const r = JSON.parse(await next());
      const log = await control('GET', `/requests?since=${seq}`);
      seq = log.lastSeq;
      return { ...r, requests: log.entries };
    },
    async stop() {
      child.stdin.end('quit\n');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = [];
  await run((measure, value, baseline, goal, ok) => rows.push({ measure, value, baseline, goal, ok }));
  printTable(rows);
}
