// Fake mount(8) / umount(8) for NFS exports of the simulator. A "mount" of
// `<server>:/Pools/<pool>/<dataset>` on DIR replaces the (empty) directory DIR with a symlink to
// the NAS volume's directory in the simulator's data directory, so the real code's file
// operations under DIR land in the simulator's NAS volume, and adds a line to the fake root's
// proc/self/mountinfo; umount undoes both. State: `state.nfs` = { exports: {"/Pools/p/d": dir},
// nasDir: "<sim data>/nas" (used when an export is not listed), unreachable: [addresses],
// lateMount: [addresses whose mount succeeds although the call reports a failure],
// mounts: [{ path, source, id }] }. Busy: a fake process (root/proc/<pid>/{cwd,fd/N}) points
// at or below DIR or the NAS directory.
import * as fs from 'node:fs';
import { join, resolve } from 'node:path';
import { withState } from './state.mjs';

const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
const err = (code, stderr) => ({ code, stdout: '', stderr });

function nfsState(state) {
  state.nfs ??= {};
  state.nfs.mounts ??= [];
  return state.nfs;
}

function mountinfoPath(state) {
  return join(state.root, 'proc/self/mountinfo');
}

/** The fake's mountinfo: whatever a test put there (other mounts) plus our NFS mounts. */
function writeMountinfo(state) {
  const n = nfsState(state);
  const file = mountinfoPath(state);
  fs.mkdirSync(join(state.root, 'proc/self'), { recursive: true });
  const foreign = (n.foreign ?? []).map(
    (m, i) => `${200 + i} 1 8:${i + 1} / ${m.path.replace(/ /g, '\\040')} rw,relatime shared:9 - ${m.fsType} ${m.source} rw`,
  );
  const ours = n.mounts.map(
    (m) =>
      `${m.id} 1 0:${m.id} / ${m.path.replace(/ /g, '\\040')} rw,relatime shared:${m.id} - nfs4 ${m.source} rw,vers=4.2,addr=${m.server}`,
  );
  fs.writeFileSync(file, ['22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw', ...foreign, ...ours].join('\n') + '\n');
}

function splitSource(source) {
  const i = source.lastIndexOf(':/');
  if (i < 0) return null;
  const host = source.slice(0, i);
  if (host.includes(':') && !/^\[.*\]$/.test(host)) return null; // mount.nfs needs brackets around IPv6
  return { server: host.replace(/^\[|\]$/g, ''), exportPath: source.slice(i + 1) };
}

function exportDir(n, exportPath) {
  if (n.exports?.[exportPath]) return n.exports[exportPath];
  const m = /^\/Pools\/([^/]+)\/([^/]+)$/.exec(exportPath);
  return m && n.nasDir ? join(n.nasDir, m[1], m[2]) : null;
}

function usersOf(state, dirs) {
  const proc = join(state.root, 'proc');
  const under = (t) => dirs.some((d) => t === d || t.startsWith(`${d}/`));
  const pids = [];
  for (const pid of fs.existsSync(proc) ? fs.readdirSync(proc).filter((p) => /^\d+$/.test(p)) : []) {
    const links = [
      'cwd',
      'root',
      ...(fs.existsSync(join(proc, pid, 'fd')) ? fs.readdirSync(join(proc, pid, 'fd')).map((f) => `fd/${f}`) : []),
    ];
    if (
      links.some((l) => {
        try {
          return under(fs.readlinkSync(join(proc, pid, l)));
        } catch {
          return false;
        }
      })
    )
      pids.push(pid);
  }
  return pids;
}

export function mount(state, argv) {
  const n = nfsState(state);
  const a = [...argv];
  let type = null;
  let options = '';
  const pos = [];
  while (a.length) {
    const x = a.shift();
    if (x === '-t') type = a.shift();
    else if (x === '-o') options = a.shift() ?? '';
    else if (x.startsWith('-')) return err(1, `mount (fake): option ${x} not faked\n`);
    else pos.push(x);
  }
  if (type !== 'nfs' || pos.length !== 2) return err(1, 'mount (fake): only mount -t nfs [-o OPTS] SERVER:/EXPORT DIR is faked\n');
  const [source, dir] = pos;
  const src = splitSource(source);
  if (!src) return err(32, `mount.nfs: Failed to resolve server ${source}: Name or service not known\n`);
  n.lastOptions = options;
  if ((n.unreachable ?? []).includes(src.server))
    return { ...err(32, `mount.nfs: Connection timed out\n`), delayMs: n.timeoutDelayMs ?? 0 };
  const path = resolve(dir);
  if (n.mounts.some((m) => m.path === path)) return err(32, `mount.nfs: ${source} is busy or already mounted on ${path}\n`);
  let st;
  try {
    st = fs.lstatSync(path);
  } catch {
    return err(32, `mount.nfs: mount point ${path} does not exist\n`);
  }
  if (!st.isDirectory()) return err(32, `mount.nfs: mount point ${path} is not a directory\n`);
  const target = exportDir(n, src.exportPath);
  if (!target || !fs.existsSync(target)) return err(32, `mount.nfs: access denied by server while mounting ${source}\n`);
  // a real mount hides what is below it; the fake can only set empty folders aside (and bring
  // them back at umount), so it refuses a directory with files (the flow never mounts over files)
  const covered = [];
  const walk = (d, rel) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) return false;
      covered.push(rel ? `${rel}/${e.name}` : e.name);
      if (!walk(join(d, e.name), covered[covered.length - 1])) return false;
    }
    return true;
  };
  if (!walk(path, '')) return err(32, `mount (fake): ${path} holds files; the fake cannot hide them\n`);
  fs.rmSync(path, { recursive: true });
  fs.symlinkSync(target, path);
  n.nextId = (n.nextId ?? 100) + 1;
  n.mounts.push({ path, source, server: src.server, id: n.nextId, target, covered });
  writeMountinfo(state);
  // `lateMount`: the mount happens, but the caller sees the attempt fail (cut off by its bound)
  if ((n.lateMount ?? []).includes(src.server)) return err(32, 'mount.nfs: Connection timed out\n');
  return ok();
}

export function umount(state, argv) {
  const n = nfsState(state);
  if (argv.length !== 1 || argv[0].startsWith('-')) {
    state.violations.push(`umount ${argv.join(' ')}`);
    return err(1, 'umount (fake): only umount DIR is faked (no -a, -l, -f)\n');
  }
  const path = resolve(argv[0]);
  const m = n.mounts.find((x) => x.path === path);
  if (!m) return err(32, `umount: ${path}: not mounted.\n`);
  if (n.busy?.[path] || usersOf(state, [path, m.target]).length) return err(32, `umount: ${path}: target is busy.\n`);
  fs.unlinkSync(path);
  fs.mkdirSync(path);
  for (const d of m.covered ?? []) fs.mkdirSync(join(path, d), { recursive: true });
  n.mounts = n.mounts.filter((x) => x !== m);
  writeMountinfo(state);
  return ok();
}

/** Put a foreign mount (any fs type) into the fake mountinfo, as if something else were mounted there. */
export function addForeignMount(state, path, source, fsType = 'ext4') {
  const n = nfsState(state);
  (n.foreign ??= []).push({ path: resolve(path), source, fsType });
  writeMountinfo(state);
}

export function runNfsFake(statePath, tool, argv, now = Date.now()) {
  return withState(statePath, (state) => {
    state.calls.push({ tool, argv, t: now });
    return tool === 'mount' ? mount(state, argv) : umount(state, argv);
  });
}

export async function main(tool) {
  const statePath = process.env.FAKE_HOST_STATE;
  if (!statePath) {
    process.stderr.write(`${tool} (fake): FAKE_HOST_STATE is not set\n`);
    process.exit(99);
  }
  const r = runNfsFake(statePath, tool, process.argv.slice(2));
  if (r.delayMs > 0) await new Promise((res) => setTimeout(res, r.delayMs));
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.exitCode = r.code;
}
