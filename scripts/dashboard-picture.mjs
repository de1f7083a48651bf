#!/usr/bin/env node
// Draws docs/img/grafana-dashboard.svg: the panels of config-examples/metrics/grafana-dashboard.json
// filled with real figures — 12 scrapes of `jdssc metrics` against the simulator and the fake host
// of test/host/fakes while volumes, snapshots and logins come and go. It is not a Grafana
// screenshot (no Grafana runs here): the layout, titles and queries are the dashboard's, the
// values are what jdssc printed, evaluated by the small subset of PromQL the dashboard uses.
//
//   node scripts/dashboard-picture.mjs [OUT.svg]      (after `make build`; loopback only)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import parse from 'parse-prometheus-text-format';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = process.argv[2] ?? join(ROOT, 'docs', 'img', 'grafana-dashboard.svg');
const dashboard = JSON.parse(readFileSync(join(ROOT, 'config-examples', 'metrics', 'grafana-dashboard.json'), 'utf8'));

// ---- 1. a simulator with the fake host, and a changing storage ------------------------------
const dir = mkdtempSync(join(tmpdir(), 'jdssc-dashboard-'));
const password = `pic-${Math.random().toString(36).slice(2)}`;
writeFileSync(join(dir, 'password'), `${password}\n`, { mode: 0o600 });
const ready = join(dir, 'ready.json');
const sim = spawn(
  process.execPath,
  [join(ROOT, 'test', 'plugin', 'sim-fakehost.mjs'), '--host-root', join(dir, 'host'), '--host-state', join(dir, 'host.json')].concat([
    '--password-file',
    join(dir, 'password'),
    '--ca-file',
    join(dir, 'ca.pem'),
    '--ready-file',
    ready,
  ]),
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
try {
  for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 50));
  const { port } = JSON.parse(readFileSync(ready, 'utf8'));
  const config = join(dir, 'jdss-Pool-0.yaml');
  const settings = {
    pool_name: 'Pool-0',
    control_addresses: '127.0.0.1',
    control_port: port,
    data_addresses: '127.0.0.2,127.0.0.3',
    password_file: join(dir, 'password'),
    ssl_ca_file: join(dir, 'ca.pem'),
    multipath: true,
    storage_id: 'jdss-Pool-0',
    host_root: join(dir, 'host'),
    host_tools_dir: join(ROOT, 'test', 'host', 'fakes'),
  };
  writeFileSync(
    config,
    Object.entries(settings)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join(''),
    { mode: 0o600 },
  );
  const env = { ...process.env, FAKE_HOST_STATE: join(dir, 'host.json'), JDSSC_STATE_DIR: join(dir, 'state'), JDSSC_JOURNAL_SOCKET: '' };
  const jdssc = (...args) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'jdssc'), '-c', config, ...args], { env, encoding: 'utf8' });
    // metrics and a dry-run cleanup that found something exit non-zero by design
    if (r.status !== 0 && !['metrics', 'cleanup'].includes(args[0]))
      throw new Error(`jdssc ${args.join(' ')}: exit ${r.status}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  // what happens between scrapes: step → commands (a morning of VMs starting, one disk removed)
  const story = {
    1: [
      ['volume', 'create', 'vm-100-disk-0', '--size', '32G', '--thick'],
      ['volume', 'create', 'vm-100-disk-1', '--size', '8G'],
    ],
    2: [
      ['login', 'activate', 'vm-100-disk-0'],
      ['login', 'activate', 'vm-100-disk-1'],
    ],
    3: [
      ['volume', 'create', 'vm-101-disk-0', '--size', '24G', '--thick'],
      ['snapshot', 'create', 'vm-100-disk-0', 'before-upgrade'],
    ],
    4: [['login', 'activate', 'vm-101-disk-0']],
    5: [
      ['volume', 'create', 'vm-102-disk-0', '--size', '20G'],
      ['snapshot', 'create', 'vm-101-disk-0', 'nightly'],
    ],
    6: [
      ['login', 'activate', 'vm-102-disk-0'],
      ['volume', 'create', 'vm-999-disk-0', '--size', '4G', '--thick'],
    ],
    7: [['cleanup', '--vmids', '100,101,102,103']], // finds vm-999's disk: the VM is gone
    8: [
      ['snapshot', 'create', 'vm-102-disk-0', 'nightly'],
      ['volume', 'create', 'vm-103-disk-0', '--size', '16G'],
    ],
    9: [['login', 'deactivate', 'vm-100-disk-1']],
    10: [['volume', 'delete', 'vm-100-disk-1']],
  };
  const scrapes = [];
  for (let step = 0; step < 12; step++) {
    for (const args of story[step] ?? []) jdssc(...args);
    scrapes.push(parse(jdssc('metrics')));
  }

  // ---- 2. the dashboard's queries over those scrapes -----------------------------------------
  const panels = dashboard.panels.map((p) => ({
    ...p,
    series: (p.targets ?? []).flatMap((t) => seriesOf(t, scrapes)),
  }));
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, render(dashboard.title ?? 'jdssc', panels, scrapes.length));
  process.stdout.write(`${OUT}: ${panels.length} panels, ${scrapes.length} scrapes\n`);
} finally {
  sim.kill('SIGTERM');
  await new Promise((r) => sim.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

/** One target's expression at every scrape → [{label, values[]}] (the subset the dashboard uses). */
function seriesOf(target, scrapes) {
  const byKey = new Map();
  scrapes.forEach((families, i) => {
    for (const [key, value] of evaluate(target.expr, families)) {
      if (!byKey.has(key)) byKey.set(key, new Array(scrapes.length).fill(null));
      byKey.get(key)[i] = value;
    }
  });
  const name = (key) => (target.legendFormat ? target.legendFormat.replace(/\{\{(\w+)\}\}/g, (_, l) => JSON.parse(key)[l] ?? '') : key);
  return [...byKey].map(([key, values]) => ({ label: name(key), values }));
}

/** `agg by (l…) (metric{m…})`, `metric{m…}` and `a / b` → Map(labelsJSON → value). */
function evaluate(expr, families) {
  const div = splitTop(expr, '/');
  if (div) {
    const [a, b] = div.map((e) => evaluate(e, families));
    return new Map([...a].filter(([k]) => b.get(k)).map(([k, v]) => [k, v / b.get(k)]));
  }
  const agg = /^\s*(max|min|sum)\s+by\s*\(([^)]*)\)\s*\((.*)\)\s*$/.exec(expr);
  if (agg) {
    const keep = agg[2]
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const out = new Map();
    for (const [k, v] of evaluate(agg[3], families)) {
      const labels = JSON.parse(k);
      const key = JSON.stringify(Object.fromEntries(keep.filter((l) => l in labels).map((l) => [l, labels[l]])));
      const prev = out.get(key);
      out.set(key, prev === undefined ? v : agg[1] === 'sum' ? prev + v : Math[agg[1]](prev, v));
    }
    return out;
  }
  const sel = /^\s*([a-zA-Z_:][\w:]*)\s*(?:\{([^}]*)\})?\s*$/.exec(expr);
  if (!sel) throw new Error(`dashboard-picture: cannot evaluate ${expr}`);
  const matchers = (sel[2] ?? '')
    .split(',')
    .map((m) => /^\s*(\w+)\s*(=~|=)\s*"(.*)"\s*$/.exec(m))
    .filter((m) => m && !m[3].startsWith('$')); // a dashboard variable matches everything here
  const family = families.find((f) => f.name === sel[1]);
  const out = new Map();
  for (const m of family?.metrics ?? []) {
    const labels = { instance: 'pve1', ...(m.labels ?? {}) };
    if (matchers.every(([, l, op, v]) => (op === '=' ? labels[l] === v : new RegExp(`^(?:${v})$`).test(labels[l] ?? ''))))
      out.set(JSON.stringify(labels), Number(m.value));
  }
  return out;
}

function splitTop(expr, op) {
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    if ('({'.includes(expr[i])) depth++;
    else if (')}'.includes(expr[i])) depth--;
    else if (expr[i] === op && depth === 0) return [expr.slice(0, i), expr.slice(i + 1)];
  }
  return null;
}

// ---- 3. SVG ------------------------------------------------------------------------------------
function render(title, panels, n) {
  const U = 40; // one grid column (Grafana has 24) in px
  const H = 30; // one grid row in px
  const top = 36;
  const height = top + Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h)) * H + 8;
  const colors = ['#73bf69', '#f2cc0c', '#5794f2', '#ff9830', '#b877d9', '#f2495c', '#8ab8ff', '#96d98d'];
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const fmt = (v, unit) =>
    v === null || v === undefined
      ? 'no data'
      : unit === 'bytes'
        ? `${(v / 2 ** 30).toFixed(v >= 2 ** 40 ? 0 : 1)} GiB`
        : unit === 'percentunit'
          ? `${(v * 100).toFixed(1)} %`
          : unit === 's'
            ? `${(v * 1000).toFixed(0)} ms`
            : String(Math.round(v * 100) / 100);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${24 * U + 8}" height="${height}" font-family="Inter, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="#111217"/>`,
    `<text x="8" y="24" fill="#ccccdc" font-size="15">${esc(title)}</text>`,
    `<text x="${24 * U}" y="24" fill="#8e8e8e" font-size="11" text-anchor="end">${n} scrapes of jdssc metrics, simulator + fake host</text>`,
  ];
  for (const p of panels) {
    const x = 4 + p.gridPos.x * U;
    const y = top + p.gridPos.y * H;
    const w = p.gridPos.w * U - 6;
    const h = p.gridPos.h * H - 6;
    const unit = p.fieldConfig?.defaults?.unit;
    parts.push(`<g transform="translate(${x},${y})">`, `<rect width="${w}" height="${h}" rx="3" fill="#181b1f" stroke="#2c3235"/>`);
    parts.push(`<text x="8" y="18" fill="#ccccdc" font-size="12" font-weight="600">${esc(p.title)}</text>`);
    const last = p.series.map((s) => ({ label: s.label, v: [...s.values].reverse().find((x) => x !== null) ?? null }));
    if (p.type === 'stat' || p.type === 'gauge') {
      const shown = last.length ? last : [{ label: '', v: null }];
      shown.slice(0, 3).forEach((s, i) => {
        const cx = ((i + 0.5) * w) / Math.min(shown.length, 3);
        parts.push(
          `<text x="${cx}" y="${h / 2 + 14}" fill="${colors[i]}" font-size="26" text-anchor="middle">${esc(fmt(s.v, unit))}</text>`,
        );
        const label = s.label.replace(/[{}"]/g, '').replace(/:/g, '=');
        parts.push(`<text x="${cx}" y="${h - 8}" fill="#8e8e8e" font-size="10" text-anchor="middle">${esc(label)}</text>`);
      });
    } else {
      const px = 58;
      const pw = w - px - 10;
      const ph = h - 52;
      const values = p.series.flatMap((s) => s.values.filter((v) => v !== null));
      const max = Math.max(1e-9, ...values) * 1.1;
      parts.push(`<line x1="${px}" y1="${28 + ph}" x2="${px + pw}" y2="${28 + ph}" stroke="#2c3235"/>`);
      parts.push(`<text x="${px - 4}" y="34" fill="#8e8e8e" font-size="9" text-anchor="end">${esc(fmt(max, unit))}</text>`);
      parts.push(`<text x="${px - 4}" y="${28 + ph}" fill="#8e8e8e" font-size="9" text-anchor="end">0</text>`);
      p.series.forEach((s, i) => {
        const pts = s.values
          .map((v, j) => (v === null ? null : `${(px + (j * pw) / (n - 1)).toFixed(1)},${(28 + ph - (v / max) * ph).toFixed(1)}`))
          .filter(Boolean);
        parts.push(`<polyline fill="none" stroke="${colors[i % colors.length]}" stroke-width="2" points="${pts.join(' ')}"/>`);
        const label = `${s.label
          .replace(/^iqn\.[^:]*:/, '')
          .replace(/[{}"]/g, '')
          .replace(/:/g, '=')} ${fmt(last[i].v, unit)}`;
        parts.push(
          `<text x="${px + (i % 2) * (pw / 2)}" y="${h - 18 + Math.floor(i / 2) * 11}" fill="${colors[i % colors.length]}" font-size="9">${esc(label.slice(0, 44))}</text>`,
        );
      });
      if (!p.series.length) parts.push(`<text x="${w / 2}" y="${h / 2}" fill="#8e8e8e" font-size="12" text-anchor="middle">no data</text>`);
    }
    parts.push('</g>');
  }
  parts.push('</svg>\n');
  return parts.join('\n');
}
