#!/usr/bin/env node
// The simulator with the fake host for the joviandss-nfs tests: like test/plugin/sim-fakehost.mjs,
// plus NAS volume files in a data directory (`<data>/nas/<pool>/<dataset>/`) that the fake
// mount (test/host/fakes/lib/nfs.mjs) shows at the mount directory. Loopback only; stops on SIGTERM.
//
//   node sim-nfshost.mjs --host-root DIR --host-state FILE --nas-data-dir DIR --password-file F
//     --ca-file F --ready-file F
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tickFake } from '../../host/fakes/lib/dispatch.mjs';
import { createFakeRoot, initialState, saveState } from '../../host/fakes/lib/state.mjs';
import { fakeDataPath } from '../../helpers/fakeDataPath.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { simulatorMain } = createRequire(import.meta.url)(join(here, '../../../dist/simulator.cjs'));

const opt = {};
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) opt[argv[i].replace(/^--/, '')] = argv[i + 1];
for (const k of ['host-root', 'host-state', 'nas-data-dir', 'password-file', 'ca-file', 'ready-file']) {
  if (!opt[k]) {
    process.stderr.write(`sim-nfshost: --${k} is required\n`);
    process.exit(2);
  }
}
createFakeRoot(opt['host-root']);
const state = initialState(opt['host-root']);
state.nfs = { mounts: [], nasDir: join(opt['nas-data-dir'], 'nas') };
saveState(opt['host-state'], state);
const kernel = setInterval(() => tickFake(opt['host-state']), 50);
process.exitCode = await simulatorMain(
  {
    listen: ['127.0.0.1'],
    port: 0,
    passwordFile: opt['password-file'],
    caFile: opt['ca-file'],
    readyFile: opt['ready-file'],
    nasDataDir: opt['nas-data-dir'],
    backend: fakeDataPath(opt['host-state']),
  },
  { stdout: process.stdout, stderr: process.stderr },
);
clearInterval(kernel);
