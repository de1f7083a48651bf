import * as fs from 'node:fs';
import { afterAll, describe, expect, test } from '@jest/globals';
import { resolveConfig } from '../../src/config/resolve';
import { loadSecrets, readPasswordFile } from '../../src/config/secrets';
import { DEFAULTS, SETTINGS } from '../../src/config/schema';
import { ConfigError, EXIT } from '../../src/errors';
import { tempDir } from '../helpers/tmp';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

function resolve(yaml: string | undefined, flags: Record<string, unknown> = {}, env: Record<string, string> = {}, mode = 0o600) {
  const configFile = yaml === undefined ? undefined : tmp.file(`c${Math.random()}.yaml`, yaml, mode);
  return resolveConfig({ configFile, flags, env, fs });
}

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(EXIT.USAGE);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const LEGACY = `driver_use_ssl: True
driver_ssl_cert_verify: False
target_prefix: 'iqn.2021-10.iscsi:'
jovian_block_size: '16K'
jovian_rest_send_repeats: 3
rest_api_addresses:
  - '192.168.21.100'
rest_api_port: 82
target_port: 3260
rest_api_login: 'admin'
rest_api_password: 'admin'
thin_provision: True
loglevel: info
logfile: /var/log/jdss-Pool-0.log
`;

describe('YAML file', () => {
  test('upstream legacy file (seed 001) loads with every key mapped', () => {
    const { settings, warnings, file } = resolve(LEGACY);
    expect(warnings).toEqual([]);
    expect(settings).toMatchObject({
      tlsVerify: false,
      targetPrefix: 'iqn.2021-10.iscsi',
      blockSize: '16K',
      controlAddresses: ['192.168.21.100'],
      controlPort: 82,
      dataPort: 3260,
      userName: 'admin',
      thinProvision: true,
      logLevel: 'info',
      logFile: '/var/log/jdss-Pool-0.log',
    });
    expect(file?.secrets.restPassword).toBe('admin');
  });

  test('new storage.cfg-style names are aliases of the same settings', () => {
    const { settings } = resolve(
      [
        'control_addresses: 127.0.0.1,127.0.0.4',
        'control_port: 8443',
        'user_name: root',
        'ssl_cert_verify: yes',
        "iscsi_target_prefix: 'iqn.2025-04.proxmox.joviandss.iscsi:'",
        'data_port: 3261',
        'data_addresses: [127.0.0.2, 127.0.0.3]',
        'luns_per_target: 4',
        'block_size: 64k',
        'thin_provisioning: 0',
        'chap_enabled: true',
        'chap_user_name: pve_chap',
        'cluster_prefix: pveA',
        'log_level: DEBUG',
        'log_file: /tmp/x.log',
        'pool_name: Pool-1',
        'multipath: 1',
      ].join('\n'),
    );
    expect(settings).toMatchObject({
      controlAddresses: ['127.0.0.1', '127.0.0.4'],
      controlPort: 8443,
      userName: 'root',
      tlsVerify: true,
      targetPrefix: 'iqn.2025-04.proxmox.joviandss.iscsi',
      dataPort: 3261,
      dataAddresses: ['127.0.0.2', '127.0.0.3'],
      lunsPerTarget: 4,
      blockSize: '64K',
      thinProvision: false,
      chapEnabled: true,
      chapUser: 'pve_chap',
      clusterPrefix: 'pveA',
      logLevel: 'debug',
      logFile: '/tmp/x.log',
      pool: 'Pool-1',
      multipath: true,
    });
  });

  test('defaults apply when the file is empty, and control addresses fall back to data addresses', () => {
    const { settings } = resolve('data_addresses: 127.0.0.2\n');
    expect(settings.controlAddresses).toEqual(['127.0.0.2']);
    expect({ ...settings, controlAddresses: [], dataAddresses: [] }).toEqual({ ...DEFAULTS, passwordFile: undefined });
  });

  test('unknown keys warn, legacy no-op keys do not', () => {
    const { warnings } = resolve('rest_api_addresses: [127.0.0.1]\nfrobnicate: 3\nvolume_backend_name: x\n');
    expect(warnings).toEqual([expect.stringMatching(/unknown key 'frobnicate' ignored/)]);
  });

  test('driver_use_ssl false warns that HTTPS is always used', () => {
    expect(resolve('driver_use_ssl: false\n').warnings[0]).toMatch(/HTTPS only/);
  });

  test.each([
    ['rest_api_port: abc', 'rest_api_port', /integer from 1 to 65535/],
    ['rest_api_port: 70000', 'rest_api_port', /integer/],
    ['control_addresses: jovian.example.com', 'control_addresses', /not an IP address/],
    ['control_addresses: []', 'control_addresses', /empty/],
    ['jovian_block_size: 3K', 'jovian_block_size', /4K, 8K, 16K/],
    ['thin_provision: maybe', 'thin_provision', /true or false/],
    ['loglevel: loud', 'loglevel', /log level/],
    ['target_prefix: "not an iqn"', 'target_prefix', /IQN prefix/],
    ['cluster_prefix: pve_A', 'cluster_prefix', /letters and digits/],
    ['chap_user_name: "-bad"', 'chap_user_name', /CHAP user name/],
    ['luns_per_target: 0', 'luns_per_target', /integer from 1/],
    ['timeout: -5', 'timeout', /seconds/],
    ['user_name: ""', 'user_name', /non-empty/],
  ])('bad value %p fails with exit 2 naming the key', (yaml, key, why) => {
    const e = configError(() => resolve(`${yaml}\n`));
    expect(e.key).toBe(key);
    expect(e.message).toContain(key);
    expect(e.message).toMatch(why);
  });

  test('two aliases with different values conflict', () => {
    const e = configError(() => resolve('rest_api_port: 82\ncontrol_port: 83\n'));
    expect(e.message).toMatch(/control_port conflicts with rest_api_port/);
  });

  test('missing, unreadable-as-directory and invalid YAML files fail clearly', () => {
    expect(configError(() => resolveConfig({ configFile: `${tmp.dir}/nope.yaml`, flags: {}, env: {}, fs })).message).toMatch(
      /does not exist/,
    );
    expect(configError(() => resolveConfig({ configFile: tmp.dir, flags: {}, env: {}, fs })).message).toMatch(/is a directory/);
    expect(configError(() => resolve('a: [1, 2\n')).message).toMatch(/invalid YAML at line/);
    expect(configError(() => resolve('- just\n- a list\n')).message).toMatch(/key: value/);
    expect(configError(() => resolve('rest_api_port: {a: 1}\n')).key).toBe('rest_api_port');
  });

  test('a world-readable file holding a password is refused', () => {
    const e = configError(() => resolve('rest_api_password: s3cret-value\n', {}, {}, 0o644));
    expect(e.message).toMatch(/readable by all users/);
    expect(e.message).not.toContain('s3cret-value');
  });

  test('chap_enabled without a user name is refused', () => {
    expect(configError(() => resolve('chap_enabled: true\n')).key).toBe('chap_user_name');
  });
});

describe('precedence', () => {
  test('flags override the file, the file overrides defaults', () => {
    const { settings } = resolve('rest_api_port: 82\npool_name: Pool-0\nrest_api_addresses: [127.0.0.9]\n', {
      'control-port': '8443',
      pool: 'Pool-7',
      'control-addresses': '127.0.0.1,127.0.0.4',
      'ssl-cert-verify': '0',
    });
    expect(settings.controlPort).toBe(8443);
    expect(settings.pool).toBe('Pool-7');
    expect(settings.controlAddresses).toEqual(['127.0.0.1', '127.0.0.4']);
    expect(settings.tlsVerify).toBe(false);
  });

  test('a bad flag value names the flag', () => {
    const e = configError(() => resolve(undefined, { 'control-port': 'x' }));
    expect(e.message).toMatch(/^--control-port: expected an integer/);
  });

  test('$JDSSC_CONFIG names the file when --config is absent', () => {
    const p = tmp.file('env.yaml', 'pool_name: FromEnv\n');
    expect(resolveConfig({ flags: {}, env: { JDSSC_CONFIG: p }, fs }).settings.pool).toBe('FromEnv');
  });

  test('every setting with a flag is reachable', () => {
    for (const s of SETTINGS.filter((x) => x.flag)) expect(s.flag).toMatch(/^[a-z-]+$/);
  });
});

describe('secrets', () => {
  const base = { env: {}, yaml: {}, readStdin: async () => '', fs };

  test('single-line password file', () => {
    const p = tmp.file('pw1', 'hunter2-long\n');
    expect(readPasswordFile(p, fs)).toEqual({ restPassword: 'hunter2-long' });
  });

  test('upstream sensitive-file format with both secrets (values may contain spaces)', () => {
    const p = tmp.file('pw2', '# comment\nchap_user_password abc def 123456\nuser_password rest pw\n');
    expect(readPasswordFile(p, fs)).toEqual({ restPassword: 'rest pw', chapSecret: 'abc def 123456' });
  });

  test.each([0o644, 0o640, 0o604])('password file with mode %o is refused without echoing it', (mode) => {
    const p = tmp.file(`pw-${mode}`, 'topsecret\n', mode);
    const e = configError(() => readPasswordFile(p, fs));
    expect(e.message).toMatch(/chmod 600/);
    expect(e.message).not.toContain('topsecret');
  });

  test('missing or empty password file', () => {
    expect(configError(() => readPasswordFile(`${tmp.dir}/none`, fs)).message).toMatch(/does not exist/);
    expect(configError(() => readPasswordFile(tmp.file('empty', '\n'), fs)).message).toMatch(/is empty/);
  });

  test('order: file > stdin > environment > YAML', async () => {
    const file = tmp.file('pw3', 'from-file\n');
    const all = {
      ...base,
      env: { JDSSC_PASSWORD: 'from-env' },
      yaml: { restPassword: 'from-yaml' },
      readStdin: async () => 'from-stdin\n',
    };
    expect((await loadSecrets({ ...all, passwordFile: file, passwordStdin: true })).restPassword).toBe('from-file');
    expect((await loadSecrets({ ...all, passwordStdin: true })).restPassword).toBe('from-stdin');
    expect((await loadSecrets(all)).restPassword).toBe('from-env');
    expect((await loadSecrets({ ...all, env: {} })).restPassword).toBe('from-yaml');
  });

  test('--password-stdin with nothing on stdin fails', async () => {
    await expect(loadSecrets({ ...base, passwordStdin: true })).rejects.toThrow(/nothing was read/);
  });

  test('CHAP secret from file or $JDSSC_CHAP_PASSWORD', async () => {
    expect((await loadSecrets({ ...base, env: { JDSSC_CHAP_PASSWORD: 'chapchapchap1' } })).chapSecret).toBe('chapchapchap1');
  });
});
