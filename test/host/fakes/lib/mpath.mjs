// Fake multipath, multipathd and dmsetup acting on the fake kernel's maps. Host-wide forms
// (multipath -F, a bare multipath, multipath -r, multipathd reconfigure, dmsetup remove_all)
// are refused and recorded as violations.
import { ensureMap, mapAddPath, pathsOf, removeMap, setMapSize } from './kernel.mjs';

const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
const err = (code, stderr, stdout = '') => ({ code, stdout, stderr });
const WWID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

function violation(state, what) {
  state.violations.push(what);
  return err(2, `fake: ${what} refused by the test harness\n`);
}

function human(bytes) {
  const g = bytes / 2 ** 30;
  return g >= 1 ? `${Math.round(g * 10) / 10}G` : `${Math.round((bytes / 2 ** 20) * 10) / 10}M`;
}

function llText(state, wwid) {
  const m = state.maps[wwid];
  const lines = [`${wwid} ${m.dm} SCST_FIO,FAKE-JOVIAN`, `size=${human(m.sizeBytes)} features='1 queue_if_no_path' hwhandler='0' wp=rw`];
  if (m.paths.length) lines.push("`-+- policy='service-time 0' prio=1 status=active");
  m.paths.forEach((n, i) => {
    const d = state.disks[n];
    const last = i === m.paths.length - 1;
    lines.push(`  ${last ? '`-' : '|-'} ${d.host}:0:0:${d.lun} ${n} ${d.majMin} active ready running`);
  });
  return lines.join('\n') + '\n';
}

/** A flush / removal refused because the map is open or the busy knob still counts. */
function busy(state, wwid) {
  const m = state.maps[wwid];
  if (m.open > 0 || (state.faults.mapOpen?.[wwid] ?? 0) > 0) return true;
  const n = state.faults.mapBusy?.[wwid] ?? 0;
  if (n > 0) {
    state.faults.mapBusy[wwid] = n - 1;
    return true;
  }
  return false;
}

export function multipath(state, argv) {
  if (argv.length === 0) return violation(state, 'bare multipath (host-wide scan)');
  if (argv.includes('-F')) return violation(state, 'multipath -F (flush all maps)');
  if (argv.includes('-r') && argv.length === 1) return violation(state, 'multipath -r (reload all maps)');
  const [flag, wwid] = argv.length === 1 ? [null, argv[0]] : argv;
  if (!wwid || !WWID.test(wwid)) return violation(state, `multipath ${argv.join(' ')} without a WWID`);
  switch (flag) {
    case '-a':
      if (!state.wwids.includes(wwid)) state.wwids.push(wwid);
      return ok(`wwid '${wwid}' added\n`);
    case '-w':
      state.wwids = state.wwids.filter((w) => w !== wwid);
      return ok(`wwid '${wwid}' removed\n`);
    case '-ll':
      if (state.faults.llEmpty || !state.maps[wwid]) return ok('');
      return ok(llText(state, wwid));
    case '-f':
      if (!state.maps[wwid]) return err(1, `${wwid}: no map found\n`);
      if (busy(state, wwid)) return err(1, `${wwid}: map in use\n`);
      removeMap(state, wwid);
      return ok();
    case null:
      if (!state.wwids.includes(wwid) || !ensureMap(state, wwid)) return err(1, '');
      return ok(`create: ${llText(state, wwid)}`);
    default:
      return violation(state, `multipath ${argv.join(' ')}`);
  }
}

export function multipathd(state, argv) {
  const cmd = argv.slice(0, 2).join(' ');
  const arg = argv[2];
  const fail = () => ({ code: 1, stdout: 'fail\n', stderr: '' });
  if (argv.length !== 3 || !arg) return violation(state, `multipathd ${argv.join(' ')}`);
  switch (cmd) {
    case 'add map':
      if (!state.wwids.includes(arg) || pathsOf(state, arg).length === 0 || !ensureMap(state, arg)) return fail();
      return ok('ok\n');
    case 'del map':
      if (!state.maps[arg] || busy(state, arg)) return fail();
      removeMap(state, arg);
      return ok('ok\n');
    case 'resize map': {
      const m = state.maps[arg];
      if (!m) return fail();
      const sizes = new Set(m.paths.map((n) => state.disks[n].sizeBytes));
      if (sizes.size !== 1) return fail();
      setMapSize(state, arg, [...sizes][0]);
      return ok('ok\n');
    }
    case 'add path': {
      const d = state.disks[arg];
      if (!d || !state.wwids.includes(d.wwid)) return fail();
      if (!state.maps[d.wwid]) ensureMap(state, d.wwid);
      else mapAddPath(state, d.wwid, arg);
      return state.maps[d.wwid] ? ok('ok\n') : fail();
    }
    default:
      return violation(state, `multipathd ${argv.join(' ')}`);
  }
}

export function dmsetup(state, argv) {
  const name = argv[argv.length - 1];
  const missing = () => err(1, 'Device does not exist.\nCommand failed.\n');
  if (argv[0] === 'remove_all' || !WWID.test(name ?? '')) return violation(state, `dmsetup ${argv.join(' ')}`);
  const m = state.maps[name];
  switch (argv[0]) {
    case 'status': {
      if (!m) return missing();
      const paths = m.paths.map((n) => `${state.disks[n].majMin} A 0 0 1`).join(' ');
      return ok(`0 ${m.sizeBytes / 512} multipath 2 0 0 0 1 1 A 0 ${m.paths.length} 2 ${paths}\n`.replace(/\s+\n$/, '\n'));
    }
    case 'info':
      if (!m) return missing();
      return ok(`${String(m.open + (state.faults.mapOpen?.[name] ?? 0)).padStart(4)}\n`);
    case 'remove': {
      if (!m) return missing();
      if (argv.includes('--deferred')) {
        if (busy(state, name)) {
          m.deferred = true;
          return ok();
        }
        removeMap(state, name);
        return ok();
      }
      if (!argv.includes('--force') && busy(state, name))
        return err(1, `device-mapper: remove ioctl on ${name}  failed: Device or resource busy\nCommand failed.\n`);
      removeMap(state, name);
      return ok();
    }
    default:
      return violation(state, `dmsetup ${argv.join(' ')}`);
  }
}
