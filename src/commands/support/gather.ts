// The parts of a support bundle, each gathered on its own: a part that cannot be read (not a
// Proxmox host, array down, no log file) is listed in the manifest as skipped with the reason,
// and the rest of the bundle is still written. Every text passes through the scrubber.
import * as nodeFs from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { SECRET_KEYS } from '../../config';
import type { Factory } from '../../cmdutil/factory';
import { hostEnv, storageIdOf } from '../../cmdutil/hostEnv';
import { inspectMap, listRecords, listSessions, runTool, type HostEnv } from '../../host';
import { poolCheckReport } from '../../cmdutil/poolChecks';
import { VERSION } from '../../version';
import { BLANKED, joviandssSections } from './scrub';

export interface Part {
  /** Path inside the bundle. */
  path: string;
  text: string;
}

export interface Gathered {
  parts: Part[];
  skipped: Array<{ part: string; reason: string }>;
}

type Fs = typeof nodeFs;

/** Debian packages whose versions matter for a JovianDSS/Proxmox problem. */
const PACKAGES = ['open-iscsi', 'multipath-tools', 'pve-manager', 'proxmox-ve', 'nodejs', 'jdssc'];

export async function gather(f: Factory, o: { logLines: number; skipArray: boolean }): Promise<Gathered> {
  const fs: Fs = f.overrides.fs ?? nodeFs;
  const s = f.settings();
  const out: Gathered = { parts: [], skipped: [] };
  const part = async (name: string, fn: () => Promise<Part[] | Part | null> | Part[] | Part | null) => {
    try {
      const got = await fn();
      if (got === null) out.skipped.push({ part: name, reason: 'not present on this host' });
      else out.parts.push(...(Array.isArray(got) ? got : [got]));
    } catch (e) {
      out.skipped.push({ part: name, reason: (e as Error).message });
    }
  };
  const json = (path: string, value: unknown): Part => ({ path, text: `${JSON.stringify(value, null, 2)}\n` });
  const host = await hostEnv(f);

  await part('versions', () => json('versions.json', versions(fs, s.hostRoot)));
  await part('config', () => {
    const file = f.config().file;
    const parts: Part[] = [json('settings.json', s)];
    if (file) parts.push({ path: 'config.yaml', text: blankYamlSecrets(fs.readFileSync(file.path, 'utf8')) });
    return parts;
  });
  await part('storage.cfg', () => {
    const path = join(s.hostRoot, 'etc/pve/storage.cfg');
    if (!fs.existsSync(path)) return null;
    return { path: 'storage.cfg', text: joviandssSections(fs.readFileSync(path, 'utf8')) };
  });
  if (!o.skipArray) {
    await part('pool check', async () => json('pool-check.json', await poolCheckReport(f, host)));
  }
  await part('iscsi sessions', async () => json('iscsi-sessions.json', await listSessions(host)));
  await part('iscsi node records', () => nodeRecords(fs, host, s.targetPrefix));
  const records = listRecordsSafe(fs, host, storageIdOf(s));
  await part('LUN records', () => (records === null ? null : json('lun-records.json', records)));
  await part('multipath', async () => (records === null ? null : multipathParts(host, records)));
  await part('log file', () => {
    if (!s.logFile || !fs.existsSync(s.logFile)) return null;
    const lines = fs.readFileSync(s.logFile, 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return { path: 'jdssc.log', text: `${lines.slice(-o.logLines).join('\n')}\n` };
  });
  return out;
}

function versions(fs: Fs, hostRoot: string): Record<string, string | null> {
  const out: Record<string, string | null> = { jdssc: VERSION, node: process.version, kernel: kernelRelease(fs, hostRoot) };
  let status = '';
  try {
    status = fs.readFileSync(join(hostRoot, 'var/lib/dpkg/status'), 'utf8');
  } catch {
    // not Debian, or a test root: package versions stay unknown
  }
  for (const stanza of status.split(/\n\n+/)) {
    const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
    if (name && PACKAGES.includes(name) && /^Status: .* installed$/m.test(stanza))
      out[name] = /^Version: (\S+)$/m.exec(stanza)?.[1] ?? null;
  }
  for (const p of PACKAGES) if (!(p in out)) out[p] = null;
  return out;
}

function kernelRelease(fs: Fs, hostRoot: string): string | null {
  if (hostRoot === '/') return release();
  try {
    return fs.readFileSync(join(hostRoot, 'proc/sys/kernel/osrelease'), 'utf8').trim();
  } catch {
    return null;
  }
}

/** The config file as written, secret keys' values blanked (the scrubber then catches values anywhere). */
function blankYamlSecrets(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const m = /^(\s*)([\w-]+)(\s*:\s*)(.*)$/.exec(line);
      return m && SECRET_KEYS.has(m[2]) && m[4] !== '' ? `${m[1]}${m[2]}${m[3]}${BLANKED}` : line;
    })
    .join('\n');
}

/** open-iscsi's node records of this storage's targets (target prefix), as files. */
function nodeRecords(fs: Fs, host: HostEnv, targetPrefix: string): Part[] | null {
  const parts: Part[] = [];
  const prefix = targetPrefix.replace(/:$/, '');
  let any = false;
  for (const db of host.roots.iscsiDb) {
    if (!fs.existsSync(db)) continue;
    any = true;
    for (const target of fs.readdirSync(db)) {
      if (!target.startsWith(prefix)) continue;
      for (const file of walk(fs, join(db, target))) {
        parts.push({ path: join('iscsi-nodes', target, file.slice(join(db, target).length + 1)), text: fs.readFileSync(file, 'utf8') });
      }
    }
  }
  return any ? parts : null;
}

function walk(fs: Fs, dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? walk(fs, p) : e.isFile() ? [p] : [];
  });
}

/** null when this is no Proxmox host of ours (no records folder). */
function listRecordsSafe(fs: Fs, host: HostEnv, storageId: string) {
  try {
    return fs.existsSync(host.roots.records) ? listRecords(host, storageId) : null;
  } catch {
    return null;
  }
}

async function multipathParts(host: HostEnv, records: ReturnType<typeof listRecords>): Promise<Part[]> {
  const parts: Part[] = [];
  const states: Record<string, unknown> = {};
  for (const r of records.filter((x) => x.multipath)) {
    states[r.wwid] = await inspectMap(host, r.wwid);
    const ll = await runTool(host, 'multipath', ['-ll', r.wwid]);
    parts.push({ path: join('multipath', `${r.wwid}.txt`), text: ll.stdout });
  }
  parts.push({ path: 'multipath/maps.json', text: `${JSON.stringify(states, null, 2)}\n` });
  return parts;
}
