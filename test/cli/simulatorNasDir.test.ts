// `jdssc simulator start --data-dir DIR` without --data-path: no iSCSI, but NAS volumes get real
// directories under DIR/nas/<pool>/<name>/ (what the test VM's kernel nfsd exports).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { tempDir } from '../helpers/tmp';

test('--data-dir alone: the ready file names it and a created NAS volume is a directory in it', async () => {
  const tmp = tempDir('jdssc-simnas-');
  const password = tmp.file('password', 'Nas-Dir-Secret-1\n', 0o600);
  const ready = join(tmp.dir, 'ready.json');
  const data = join(tmp.dir, 'data');
  const child = spawn(
    process.execPath,
    ['bin/jdssc', 'simulator', 'start', '--listen', '127.0.0.1', '--data-dir', data, '--ready-file', ready].concat([
      '--password-file',
      password,
      '--ca-file',
      join(tmp.dir, 'ca.pem'),
    ]),
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, JDSSC_JOURNAL_SOCKET: '' } },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    for (let i = 0; i < 200 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toBe('');
    const info = JSON.parse(readFileSync(ready, 'utf8'));
    expect(info.nasDataDir).toBe(data);
    expect(info.dataPath).toBeUndefined();
    const config = tmp.file(
      'jdss.yaml',
      [`pool_name: Pool-0`, `control_addresses: 127.0.0.1`, `control_port: ${info.port}`, `data_addresses: 127.0.0.2`]
        .concat([`password_file: ${password}`, `ssl_ca_file: ${join(tmp.dir, 'ca.pem')}`])
        .join('\n') + '\n',
      0o600,
    );
    const create = spawn(process.execPath, ['bin/jdssc', '-c', config, 'nas-volume', 'create', 'iso-store', '--quota', '1G', '--json'], {
      stdio: 'ignore',
      env: { ...process.env, JDSSC_STATE_DIR: join(tmp.dir, 'state'), JDSSC_JOURNAL_SOCKET: '' },
    });
    expect(await new Promise((r) => create.on('close', r))).toBe(0);
    expect(existsSync(join(data, 'nas', 'Pool-0', 'iso-store'))).toBe(true);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    tmp.cleanup();
  }
});
