#!/usr/bin/env node
// The simulator of `jdssc simulator start`, plus a data path into the fake host of
// test/host/fakes: what the REST API publishes (targets, LUNs, VIP portals, CHAP) becomes the
// "array" the fake iscsiadm logs in to, and the fake host's sessions are what the appliance
// reports. The Perl plugin tests run jdssc as a real process: its sleeps cannot tick the fake kernel, so this process ticks it
// every 50 ms (writes to scan / rescan / delete take effect, as a real kernel's would).
// With --nas-data-dir, NAS volumes are folders (`<data>/nas/<pool>/<dataset>/`) that the fake
// mount (test/host/fakes/lib/nfs.mjs) shows at the mount directory (the joviandss-nfs tests).
// Loopback only; stops on SIGTERM.
//
//   node sim-fakehost.mjs --host-root DIR --host-state FILE [--nas-data-dir DIR] [simulator start
//     options: --password-file --ca-file --ready-file]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tickFake } from '../host/fakes/lib/dispatch.mjs';
import { createFakeRoot, initialState, saveState } from '../host/fakes/lib/state.mjs';
import { fakeDataPath } from '../helpers/fakeDataPath.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { simulatorMain } = createRequire(import.meta.url)(join(here, '../../dist/simulator.cjs'));

const opt = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
for (const k of ['host-root', 'host-state', 'password-file', 'ca-file', 'ready-file']) {
  if (!opt[k]) {
    process.stderr.write(`sim-fakehost: --${k} is required\n`);
    process.exit(2);
  }
}
createFakeRoot(opt['host-root']);
const state = initialState(opt['host-root']);
if (opt['nas-data-dir']) state.nfs = { mounts: [], nasDir: join(opt['nas-data-dir'], 'nas') };
saveState(opt['host-state'], state);
const kernel = setInterval(() => tickFake(opt['host-state']), 50);
process.exitCode = await simulatorMain(
  {
    listen: ['127.0.0.1'],
    port: 0,
    passwordFile: opt['password-file'],
    caFile: opt['ca-file'],
    readyFile: opt['ready-file'],
    backend: fakeDataPath(opt['host-state']),
    ...(opt['nas-data-dir'] ? { nasDataDir: opt['nas-data-dir'] } : {}),
  },
  { stdout: process.stdout, stderr: process.stderr },
);
clearInterval(kernel);
