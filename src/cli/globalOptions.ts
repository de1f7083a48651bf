// Global flags: connection and behaviour settings that override the YAML file. Flag names
// follow storage.cfg's property names so an admin can move a setting between the two.
import type { Argv } from 'yargs';
import { UsageError } from '../errors';

const CONNECTION = 'Connection:';
const STORAGE = 'Storage defaults:';
const BEHAVIOUR = 'Output and logging:';

export function addGlobalOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('config', {
      alias: 'c',
      type: 'string',
      global: true,
      group: CONNECTION,
      describe: 'per-pool YAML config file (also $JDSSC_CONFIG)',
    })
    .option('pool', { type: 'string', global: true, group: CONNECTION, describe: 'pool name (default Pool-0)' })
    .option('control-addresses', { type: 'string', global: true, group: CONNECTION, describe: 'REST addresses, comma-separated' })
    .option('control-port', { type: 'string', global: true, group: CONNECTION, describe: 'REST port (default 82)' })
    .option('data-addresses', { type: 'string', global: true, group: CONNECTION, describe: 'iSCSI VIP addresses, comma-separated' })
    .option('data-port', { type: 'string', global: true, group: CONNECTION, describe: 'iSCSI port (default 3260)' })
    .option('user-name', { type: 'string', global: true, group: CONNECTION, describe: 'REST user (default admin)' })
    .option('password-file', {
      type: 'string',
      global: true,
      group: CONNECTION,
      describe: 'file with the REST password, mode 0600 (also $JDSSC_PASSWORD_FILE)',
    })
    .option('password-stdin', { type: 'boolean', global: true, group: CONNECTION, describe: 'read the REST password from standard input' })
    .option('ssl-cert-verify', {
      type: 'string',
      global: true,
      group: CONNECTION,
      describe: 'verify the appliance certificate (default true)',
    })
    .option('ca-file', {
      type: 'string',
      global: true,
      group: CONNECTION,
      describe: 'CA bundle (PEM) that signed the appliance certificate',
    })
    .option('connect-timeout', { type: 'string', global: true, group: CONNECTION, describe: 'seconds per connection attempt (default 3)' })
    .option('request-timeout', { type: 'string', global: true, group: CONNECTION, describe: 'seconds per REST answer (default 60)' })
    .option('attempts', {
      type: 'string',
      global: true,
      group: CONNECTION,
      describe: 'rounds over the REST addresses (default: until --timeout); 1 for fast polling',
    })
    .option('timeout', {
      type: 'string',
      global: true,
      group: CONNECTION,
      describe: 'deadline for the whole command in seconds (default 110)',
    })
    .option('target-prefix', { type: 'string', global: true, group: STORAGE, describe: 'IQN prefix of this storage’s targets' })
    .option('luns-per-target', { type: 'string', global: true, group: STORAGE, describe: 'LUNs per target (default 8)' })
    .option('cluster-prefix', {
      type: 'string',
      global: true,
      group: STORAGE,
      describe: 'name prefix of this Proxmox cluster on a shared pool',
    })
    .option('chap-enabled', { type: 'string', global: true, group: STORAGE, describe: 'require CHAP on published targets (true/false)' })
    .option('multipath', { type: 'string', global: true, group: STORAGE, describe: 'use dm-multipath devices on this host (true/false)' })
    .option('storage-id', { type: 'string', global: true, group: STORAGE, describe: 'Proxmox storage id of this storage (host records)' })
    .option('chap-user', { type: 'string', global: true, group: STORAGE, describe: 'CHAP user name (secret from the password file)' })
    .option('host-root', {
      type: 'string',
      global: true,
      group: STORAGE,
      hidden: true,
      describe: 'root of the host file system (tests, containers)',
    })
    .option('host-tools-dir', {
      type: 'string',
      global: true,
      group: STORAGE,
      hidden: true,
      describe: 'directory of the host tools (tests)',
    })
    .option('state-dir', { type: 'string', global: true, group: STORAGE, describe: 'directory for jdssc state (also $JDSSC_STATE_DIR)' })
    .option('json', { type: 'boolean', global: true, group: BEHAVIOUR, describe: 'print one JSON document on stdout' })
    .option('log-file', { type: 'string', global: true, group: BEHAVIOUR, describe: 'append a log here (created 0600)' })
    .option('log-level', { type: 'string', global: true, group: BEHAVIOUR, describe: 'critical|error|warning|info|debug' })
    .option('request-id', { type: 'string', global: true, group: BEHAVIOUR, describe: 'tag every log line with this id' })
    .option('password', { type: 'string', global: true, hidden: true })
    .option('user-password', { type: 'string', global: true, hidden: true })
    .option('chap-password', { type: 'string', global: true, hidden: true })
    .check((argv) => {
      for (const flag of ['password', 'user-password', 'chap-password']) {
        if (argv[flag] !== undefined) {
          // Refused before anything else runs: a secret on argv is visible to every user via ps.
          throw new UsageError(
            `--${flag} is not accepted: secrets never go on the command line; use --password-file, --password-stdin or $JDSSC_PASSWORD`,
          );
        }
      }
      return true;
    }) as Argv<T>;
}
