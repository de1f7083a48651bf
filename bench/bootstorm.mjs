// Boot storm: 20 VMs × 2 disks activated at once after a node reboot, on the fake host tier
// (test/host/fakes behind the simulator, as the Perl tiers use it). Each VM is what a VM start
// does: its disks' `jdssc login activate` one after the other, with the plugin's argv shape;
// the 20 VMs start together. Measured: time until every device is ready (every process has
// answered and its device exists) against one VM's activation in the same run; REST requests
// per disk against one VM's; iSCSI logins (the fake iscsiadm's call log) against the
// (target, portal) pairs; LUN records; lock waits (jdssc's own debug lines "acquired after N ms").
//
//   node bench/bootstorm.mjs        (BOOTSTORM_VMS=20 BOOTSTORM_DISKS=2; BOOTSTORM_KEEP=1 keeps the logs)
//   export async function run(row)  (row(measure, value, baseline, goal, ok), as in bench/run.mjs)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { controlApi, JDSSC, printTable, ROOT } from './lib.mjs';

export async function run(row, { vms = Number(process.env.BOOTSTORM_VMS ?? 20), disks = Number(process.env.BOOTSTORM_DISKS ?? 2) } = {}) {
  const h = await startFakeHostSimulator();
  try {
    const one = { vmid: 100 };
    const storm = Array.from({ length: vms }, (_, i) => ({ vmid: 201 + i }));
    const names = (vm) => Array.from({ length: disks }, (_, d) => `vm-${vm.vmid}-disk-${d}`);
    await pool(8, [one, ...storm].flatMap(names), (n) => h.jdssc(['volume', 'create', n, '--size', '1G']));

    const vmStart = async (vm) => {
      for (const n of names(vm)) await h.jdssc(['login', 'activate', n], `${n}.log`);
    };
    const measure = async (group) => {
      const since = (await h.control('GET', '/requests?since=1e15')).lastSeq;
      const calls = h.hostState().calls.length;
      const cpu = h.cpuMs();
      const t = performance.now();
      await Promise.all(group.map(vmStart));
      const ms = performance.now() - t;
      const cpuMs = h.cpuMs() - cpu;
      const requests = (await h.control('GET', `/requests?since=${since}`)).entries;
      return { ms, cpuMs, requests, calls: h.hostState().calls.slice(calls) };
    };
    const single = await measure([one]);
    const all = await measure(storm);

    const st = h.hostState();
    const devices = storm.flatMap(names).map((n) => h.answers.get(n)?.device);
    const ready = devices.filter((d) => d && existsSync(d)).length;
    const logins = all.calls.filter((c) => c.tool === 'iscsiadm' && c.argv.some((a) => a === '-l' || a === '--login'));
    const loginPairs = new Set(logins.map(loginKey));
    const sessions = st.sessions.filter((s) => storm.some((vm) => s.target.endsWith(`:vm-${vm.vmid}-0`)));
    const sessionPairs = new Set(sessions.map((s) => `${s.target} ${s.portal ?? s.address}`));
    const records = recordFiles(join(h.hostRoot, 'var/lib/jdssc/luns/jdss'));
    const stormRecords = records.filter((r) => storm.some((vm) => r.volume.startsWith(`vm-${vm.vmid}-`)));
    const uniqueRecords = new Set(stormRecords.map((r) => r.volume));
    const waits = lockWaits(h.dir, storm.flatMap(names));
    const n = vms * disks;
    const perDisk = all.requests.length / n;
    const perDiskOne = single.requests.length / disks;

    row(
      `boot storm: ${vms} VMs × ${disks} disks at once (fake host)`,
      `${(all.ms / 1000).toFixed(2)} s, ${ready}/${n} devices ready`,
      `one VM: ${(single.ms / 1000).toFixed(2)} s`,
      '≤ 2× one VM',
      `${(all.ms / single.ms).toFixed(2)}×${all.ms <= 2 * single.ms && ready === n ? ' ok' : ' MISS'}`,
    );
    const cores = navigatorCores();
    const toolMs = h.fakeToolCpuMs(); // one fake iscsiadm process (a Node start): what each host tool call costs here
    const toolShare = (all.calls.length * toolMs) / all.cpuMs;
    row(
      '  boot storm: CPU (jdssc + fake host tools + simulator)',
      `${(all.cpuMs / 1000).toFixed(1)} s CPU, ${all.calls.length} host tool calls (${(all.calls.length / n).toFixed(1)} per disk)`,
      `one VM: ${(single.cpuMs / 1000).toFixed(1)} s CPU, ${single.calls.length} calls (${(single.calls.length / disks).toFixed(1)} per disk)`,
      `${cores} cores`,
      `CPU-bound floor ${(all.cpuMs / cores / 1000).toFixed(1)} s = ${(all.cpuMs / cores / single.ms).toFixed(1)}× one VM; ` +
        `fake tools ≈ ${(toolShare * 100).toFixed(0)}% of the CPU (${toolMs.toFixed(0)} ms each)`,
    );
    row(
      '  boot storm: REST requests',
      `${all.requests.length} (${perDisk.toFixed(1)} per disk)`,
      `one VM: ${single.requests.length} (${perDiskOne.toFixed(1)} per disk)`,
      'linear in disks',
      perDisk <= perDiskOne * 1.25 ? 'ok' : `MISS (${(perDisk / perDiskOne).toFixed(2)}× per disk)`,
    );
    row(
      '  boot storm: iSCSI logins',
      `${logins.length} logins, ${loginPairs.size} (target, portal) pairs, ${sessions.length} sessions`,
      `one VM: ${single.calls.filter((c) => c.tool === 'iscsiadm' && c.argv.includes('--login')).length + single.calls.filter((c) => c.tool === 'iscsiadm' && c.argv.includes('-l')).length} logins`,
      'no duplicate login',
      logins.length === loginPairs.size && sessions.length === sessionPairs.size ? 'ok' : 'MISS (duplicates)',
    );
    row(
      '  boot storm: LUN records',
      `${stormRecords.length} records, ${uniqueRecords.size} volumes`,
      `${n} disks`,
      'one record per disk',
      stormRecords.length === n && uniqueRecords.size === n ? 'ok' : 'MISS',
    );
    row(
      '  boot storm: lock waits',
      `${waits.count} waits, ${waits.totalMs} ms in all, longest ${waits.maxMs} ms`,
      `${n} activations`,
      '',
      waits.kinds || 'none',
    );
    return { single, all, ready, logins: logins.length, waits };
  } finally {
    await h.stop();
  }
}

function navigatorCores() {
  const r = spawnSync('nproc', [], { encoding: 'utf8' });
  return Number(r.stdout.trim()) || 1;
}

/** CPU time in ms of this process's reaped children (jdssc and the fake tools they ran) and of the simulator. */
function cpuMs(simPid) {
  const hz = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const fields = (pid) =>
    readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ')
      .map(Number);
  const self = fields('self'); // after "(comm) ": index 0 = field 3 (state); utime 14 → 11, cutime 16 → 13
  const sim = fields(simPid);
  return ((self[13] + self[14] + sim[11] + sim[12]) * 1000) / hz;
}

/** (target, portal) of an iscsiadm login call. */
function loginKey(c) {
  const arg = (...flags) => {
    const i = c.argv.findIndex((a) => flags.includes(a));
    return i >= 0 ? c.argv[i + 1] : '';
  };
  return `${arg('-T', '--targetname')} ${arg('-p', '--portal')}`;
}

function recordFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((t) =>
    readdirSync(join(dir, t))
      .filter((f) => /^lun-\d+\.json$/.test(f))
      .map((f) => JSON.parse(readFileSync(join(dir, t, f), 'utf8'))),
  );
}

/** Lock waits from the activations' debug logs: "lock … acquired after N ms" with N > 0. */
function lockWaits(dir, names) {
  let count = 0;
  let totalMs = 0;
  let maxMs = 0;
  const kinds = new Map();
  for (const n of names) {
    const file = join(dir, 'logs', `${n}.log`);
    if (!existsSync(file)) continue;
    for (const m of readFileSync(file, 'utf8').matchAll(/(cluster lock|lock) (\S+) acquired after (\d+) ms/g)) {
      const ms = Number(m[3]);
      if (ms === 0) continue;
      count++;
      totalMs += ms;
      maxMs = Math.max(maxMs, ms);
      const kind = `${m[1]} ${m[2].split('/').pop().replace(/\d+/g, 'N')}`;
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
  return {
    count,
    totalMs,
    maxMs,
    kinds: [...kinds]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${v}× ${k}`)
      .join('; '),
  };
}

async function pool(width, items, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (queue.length) await fn(queue.shift());
    }),
  );
}

/** test/plugin/sim-fakehost.mjs: the simulator wired to a fake host, ticked every 50 ms. */
async function startFakeHostSimulator() {
  const dir = mkdtempSync(join(tmpdir(), 'jdssc-bootstorm-'));
  mkdirSync(join(dir, 'logs'));
  const password = `storm-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, 'password'), `${password}\n`, { mode: 0o600 });
  const hostRoot = join(dir, 'host');
  const hostStatePath = join(dir, 'host-state.json');
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'test', 'plugin', 'sim-fakehost.mjs'),
      '--host-root',
      hostRoot,
      '--host-state',
      hostStatePath,
      '--password-file',
      join(dir, 'password'),
      '--ca-file',
      join(dir, 'ca.pem'),
      '--ready-file',
      join(dir, 'ready.json'),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let i = 0; i < 400 && !existsSync(join(dir, 'ready.json')); i++) await new Promise((r) => setTimeout(r, 50));
  const ready = JSON.parse(readFileSync(join(dir, 'ready.json'), 'utf8'));
  const config = join(dir, 'jdssc.yaml');
  writeFileSync(
    config,
    [
      'pool_name: Pool-0',
      'control_addresses: 127.0.0.1',
      `control_port: ${ready.port}`,
      'data_addresses: 127.0.0.2,127.0.0.3',
      `password_file: ${join(dir, 'password')}`,
      `ssl_ca_file: ${join(dir, 'ca.pem')}`,
      `host_root: ${hostRoot}`,
      `host_tools_dir: ${join(ROOT, 'test', 'host', 'fakes')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const env = { ...process.env, JDSSC_STATE_DIR: join(dir, 'state'), JDSSC_JOURNAL_SOCKET: '', FAKE_HOST_STATE: hostStatePath };
  const answers = new Map();
  return {
    dir,
    hostRoot,
    answers,
    control: controlApi({ port: ready.port, password, caPem: readFileSync(join(dir, 'ca.pem'), 'utf8') }),
    hostState: () => JSON.parse(readFileSync(hostStatePath, 'utf8')),
    cpuMs: () => cpuMs(child.pid),
    /** Median CPU ms of one fake `iscsiadm -m session` (a Node process), measured like the storm's. */
    fakeToolCpuMs: () => {
      const xs = [];
      for (let i = 0; i < 5; i++) {
        const before = cpuMs(child.pid);
        spawnSync(join(ROOT, 'test', 'host', 'fakes', 'iscsiadm'), ['-m', 'session'], { env, stdio: 'ignore' });
        xs.push(cpuMs(child.pid) - before);
      }
      return xs.sort((a, b) => a - b)[2];
    },
    /** One jdssc process with the plugin's argv shape; its JSON answer is kept by volume name. */
    jdssc: (args, log) =>
      new Promise((resolve, reject) => {
        const logArgs = log ? ['--log-file', join(dir, 'logs', log), '--log-level', 'debug'] : [];
        const p = spawn(JDSSC, ['-c', config, '--storage-id', 'jdss', ...logArgs, '--json', ...args], { env });
        let out = '';
        let err = '';
        p.stdout.on('data', (c) => (out += c));
        p.stderr.on('data', (c) => (err += c));
        p.on('exit', (code) => {
          if (code !== 0) return reject(new Error(`jdssc ${args.join(' ')} exited ${code}: ${err.trim()}`));
          let doc;
          try {
            doc = JSON.parse(out);
          } catch {
            // an exception here would be thrown in the event handler and end the whole bench
            return reject(new Error(`jdssc ${args.join(' ')} exited 0 without a JSON answer: ${out.slice(0, 200)}`));
          }
          answers.set(args[2] ?? args[1], doc);
          resolve(doc);
        });
      }),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      if (process.env.BOOTSTORM_KEEP) process.stderr.write(`bootstorm: kept ${dir} (logs/)\n`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = [];
  await run((measure, value, baseline, goal, ok) => rows.push({ measure, value, baseline, goal, ok }));
  printTable(rows);
}
