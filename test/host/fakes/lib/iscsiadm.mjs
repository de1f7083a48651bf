// Fake iscsiadm: node records as real files under <root>/etc/iscsi/nodes, sessions and disks in
// the fake kernel, exit codes and messages as open-iscsi 2.1.8 prints them.
import * as fs from 'node:fs';
import { join } from 'node:path';
import { addSession, arrayTarget, portalKey, removeSession, rescanSessionLuns } from './kernel.mjs';

const NOISE =
  "System has not been booted with systemd as init system (PID 1). Can't operate.\nFailed to connect to bus: Host is down\niscsiadm: can not connect to iSCSI daemon (111)!\n";

const KNOWN = [
  'node.name',
  'node.tpgt',
  'node.startup',
  'node.leading_login',
  'iface.iscsi_ifacename',
  'iface.transport_name',
  'node.discovery_address',
  'node.discovery_port',
  'node.discovery_type',
  'node.session.initial_cmdsn',
  'node.session.initial_login_retry_max',
  'node.session.cmds_max',
  'node.session.queue_depth',
  'node.session.nr_sessions',
  'node.session.auth.authmethod',
  'node.session.auth.username',
  'node.session.auth.password',
  'node.session.auth.username_in',
  'node.session.auth.password_in',
  'node.session.timeo.replacement_timeout',
  'node.session.scan',
  'node.conn[0].address',
  'node.conn[0].port',
  'node.conn[0].startup',
  'node.conn[0].timeo.login_timeout',
  'node.conn[0].timeo.logout_timeout',
  'node.conn[0].timeo.noop_out_interval',
];

function parseArgs(argv) {
  const a = { flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const val = () => argv[++i];
    if (x === '-m' || x === '--mode') a.mode = val();
    else if (x === '-T' || x === '--targetname') a.target = val();
    else if (x === '-p' || x === '--portal') a.portal = val();
    else if (x === '-o' || x === '--op') a.op = val();
    else if (x === '-n' || x === '--name') a.name = val();
    else if (x === '-v' || x === '--value') a.value = val();
    else if (x === '-r' || x === '--sid') a.sid = Number(val());
    else if (x === '-P' || x === '--print') a.print = Number(val());
    else if (x === '-l' || x === '--login') a.flags.add('login');
    else if (x === '-u' || x === '--logout') a.flags.add('logout');
    else a.flags.add(x);
  }
  return a;
}

function splitPortal(text) {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { address: v6[1], port: Number(v6[2] ?? 3260) };
  const v4 = /^([^:]+)(?::(\d+))?$/.exec(text);
  if (v4) return { address: v4[1], port: Number(v4[2] ?? 3260) };
  return { address: text, port: 3260 };
}

function recordDir(state, target, pt) {
  return join(state.root, 'etc/iscsi/nodes', target, `${pt.address},${pt.port},-1`);
}

function readRecord(state, target, pt) {
  try {
    const text = fs.readFileSync(join(recordDir(state, target, pt), 'default'), 'utf8');
    const m = new Map();
    for (const line of text.split('\n')) {
      const x = /^(\S+) = (.*)$/.exec(line);
      if (x) m.set(x[1], x[2]);
    }
    return m;
  } catch {
    return null;
  }
}

function writeRecord(state, target, pt, rec) {
  const dir = recordDir(state, target, pt);
  fs.mkdirSync(dir, { recursive: true });
  const body = ['# BEGIN RECORD 2.1.8', ...[...rec].map(([k, v]) => `${k} = ${v}`), '# END RECORD', ''].join('\n');
  fs.writeFileSync(join(dir, 'default'), body, { mode: 0o600 });
}

function newRecord(target, pt) {
  return new Map([
    ['node.name', target],
    ['node.tpgt', '-1'],
    ['node.startup', 'automatic'],
    ['node.leading_login', 'No'],
    ['iface.iscsi_ifacename', 'default'],
    ['iface.transport_name', 'tcp'],
    ['node.discovery_address', '<empty>'],
    ['node.discovery_port', '0'],
    ['node.discovery_type', 'static'],
    ['node.session.initial_cmdsn', '0'],
    ['node.session.initial_login_retry_max', '8'],
    ['node.session.cmds_max', '128'],
    ['node.session.queue_depth', '32'],
    ['node.session.nr_sessions', '1'],
    ['node.session.auth.authmethod', 'None'],
    ['node.session.timeo.replacement_timeout', '120'],
    ['node.session.scan', 'auto'],
    ['node.conn[0].address', pt.address],
    ['node.conn[0].port', String(pt.port)],
    ['node.conn[0].startup', 'manual'],
    ['node.conn[0].timeo.login_timeout', '15'],
    ['node.conn[0].timeo.logout_timeout', '15'],
    ['node.conn[0].timeo.noop_out_interval', '5'],
  ]);
}

const tag = (target, pt) => `[iface: default, target: ${target}, portal: ${pt.address},${pt.port}]`;
const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
const err = (code, stderr, stdout = '') => ({ code, stdout, stderr });

function sessionOf(state, target, pt) {
  return state.sessions.find((s) => s.target === target && s.address === pt.address && s.port === pt.port);
}

function nodeMode(state, a, now) {
  if (!a.target || !a.portal) {
    state.violations.push(`iscsiadm node operation without exact target and portal: ${[...a.flags].join(' ')} ${a.op ?? ''}`);
    return err(2, 'fake iscsiadm: unscoped node operation refused by the test harness\n');
  }
  const pt = splitPortal(a.portal);
  const rec = readRecord(state, a.target, pt);
  if (a.flags.has('login')) return doLogin(state, a.target, pt, rec, now);
  if (a.flags.has('logout')) {
    const s = sessionOf(state, a.target, pt);
    if (!s) return err(21, 'iscsiadm: No matching sessions found\n');
    removeSession(state, s.sid);
    const t = `[sid: ${s.sid}, target: ${a.target}, portal: ${pt.address},${pt.port}]`;
    return ok(`Logging out of session ${t}\nLogout of ${t} successful.\n`);
  }
  if (a.flags.has('--rescan') || a.flags.has('-R')) {
    state.violations.push('iscsiadm -m node --rescan');
    return err(2, 'fake iscsiadm: node rescan refused by the test harness\n');
  }
  switch (a.op) {
    case 'new':
      writeRecord(state, a.target, pt, newRecord(a.target, pt));
      return ok(`New iSCSI node [tcp:[hw=,ip=,net_if=,iscsi_if=default] ${pt.address},${pt.port},-1 ${a.target}] added\n`);
    case 'show':
    case undefined:
      if (!rec) return err(21, 'iscsiadm: No records found\n');
      return ok(
        KNOWN.map((k) => `${k} = ${k.endsWith('password') || k.endsWith('password_in') ? '********' : rec.get(k) || '<empty>'}`).join(
          '\n',
        ) + '\n',
      );
    case 'update':
      if (!rec) return err(21, 'iscsiadm: No records found\n');
      if (!KNOWN.includes(a.name)) return err(7, `iscsiadm: Cannot modify ${a.name}. Invalid param name.\n`);
      rec.set(a.name, a.value ?? '');
      writeRecord(state, a.target, pt, rec);
      return ok();
    case 'delete':
      if (!rec) return err(21, 'iscsiadm: No records found\n');
      if (sessionOf(state, a.target, pt)) {
        return err(
          15,
          `iscsiadm: This command will remove the record ${tag(a.target, pt)}, but a session is using it. Logout session then rerun command to remove record.\n`,
        );
      }
      fs.rmSync(recordDir(state, a.target, pt), { recursive: true, force: true });
      try {
        fs.rmdirSync(join(state.root, 'etc/iscsi/nodes', a.target));
      } catch {
        // other portals remain
      }
      return ok();
    default:
      return err(7, `iscsiadm: unsupported op ${a.op}\n`);
  }
}

function doLogin(state, target, pt, rec, now) {
  if (!rec) return err(21, 'iscsiadm: No records found\n');
  const fail = (code, why) =>
    err(
      code,
      `iscsiadm: Could not login to ${tag(target, pt)}.\niscsiadm: initiator reported error (${code} - ${why})\niscsiadm: Could not log into all portals\n`,
      `Logging in to ${tag(target, pt)}\n`,
    );
  if (sessionOf(state, target, pt))
    return err(15, 'iscsiadm: default: 1 session requested, but 1 already present.\niscsiadm: Could not log into all portals\n');
  const t = arrayTarget(state, target);
  if (
    (state.faults.unreachable ?? []).includes(portalKey(pt.address, pt.port)) ||
    !t ||
    !t.portals.includes(portalKey(pt.address, pt.port))
  ) {
    return { ...fail(8, 'connection timed out'), delayMs: state.faults.loginDelayMs ?? 0 };
  }
  if (t.chap) {
    const good =
      rec.get('node.session.auth.authmethod') === 'CHAP' &&
      rec.get('node.session.auth.username') === t.chap.user &&
      rec.get('node.session.auth.password') === t.chap.secret;
    if (!good) return fail(24, 'iSCSI login failed due to authorization failure');
  }
  const s = addSession(state, target, pt.address, pt.port);
  if (!state.faults.noAutoScan) rescanSessionLuns(state, s, now);
  return ok(`Logging in to ${tag(target, pt)}\nLogin to ${tag(target, pt)} successful.\n`);
}

function sessionDetails(state, list) {
  const out = ['iSCSI Transport Class version 2.0-870', 'version 2.1.8'];
  for (const s of list) {
    out.push(
      `Target: ${s.target} (non-flash)`,
      `\tCurrent Portal: ${s.address}:${s.port},${s.tpgt}`,
      `\tPersistent Portal: ${s.address}:${s.port},${s.tpgt}`,
    );
    out.push('\t\t**********', '\t\tInterface:', '\t\t**********', '\t\tIface Name: default', '\t\tIface Transport: tcp');
    out.push('\t\tIface Initiatorname: iqn.1993-08.org.debian:01:fakehost', '\t\tIface IPaddress: 127.0.0.1', `\t\tSID: ${s.sid}`);
    out.push('\t\tiSCSI Connection State: LOGGED IN', '\t\tiSCSI Session State: LOGGED_IN', '\t\tInternal iscsid Session State: NO CHANGE');
    out.push(
      '\t\t************************',
      '\t\tAttached SCSI devices:',
      '\t\t************************',
      `\t\tHost Number: ${s.host}\tState: running`,
    );
    for (const [name, d] of Object.entries(state.disks)
      .filter(([, d]) => d.sid === s.sid)
      .sort((x, y) => x[1].lun - y[1].lun)) {
      out.push(`\t\tscsi${s.host} Channel 00 Id 0 Lun: ${d.lun}`, `\t\t\tAttached scsi disk ${name}\t\tState: running`);
    }
  }
  return out.join('\n') + '\n';
}

function sessionMode(state, a, now) {
  if (a.flags.has('-R') || (a.flags.has('--rescan') && a.sid === undefined)) {
    state.violations.push('iscsiadm host-wide session rescan');
    return err(2, 'fake iscsiadm: host-wide rescan refused by the test harness\n');
  }
  if (a.flags.has('--logoutall') || a.flags.has('logout')) {
    state.violations.push('iscsiadm session logout');
    return err(2, 'fake iscsiadm: session-mode logout refused by the test harness\n');
  }
  const list = a.sid === undefined ? state.sessions : state.sessions.filter((s) => s.sid === a.sid);
  if (a.sid !== undefined && list.length === 0)
    return err(21, `iscsiadm: Could not get session info for sid ${a.sid}\niscsiadm: No session found.\n`);
  if (a.flags.has('--rescan')) {
    rescanSessionLuns(state, list[0], now);
    const s = list[0];
    return ok(`Rescanning session [sid: ${s.sid}, target: ${s.target}, portal: ${s.address},${s.port}]\n`);
  }
  if (list.length === 0) return err(21, 'iscsiadm: No active sessions.\n');
  if (a.print >= 1) return ok(sessionDetails(state, list));
  const addr = (s) => (s.address.includes(':') ? `[${s.address}]` : s.address);
  return ok(list.map((s) => `tcp: [${s.sid}] ${addr(s)}:${s.port},${s.tpgt} ${s.target} (non-flash)`).join('\n') + '\n');
}

export function iscsiadm(state, argv, now) {
  const a = parseArgs(argv);
  let r;
  if (a.mode === 'node') r = nodeMode(state, a, now);
  else if (a.mode === 'session') r = sessionMode(state, a, now);
  else {
    state.violations.push(`iscsiadm mode ${a.mode}`);
    r = err(7, `iscsiadm: mode ${a.mode} not supported by the fake\n`);
  }
  if (state.faults.noise) r = { ...r, stderr: NOISE + r.stderr };
  return r;
}
