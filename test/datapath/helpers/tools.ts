// The host tier's real tools: a loud failure when one is missing (never a skip), and thin
// wrappers over libiscsi's command-line tools that talk real iSCSI to the simulator's tgtd.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

const PATH_DIRS = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export function which(tool: string): string | undefined {
  for (const dir of PATH_DIRS) {
    const p = join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next directory
    }
  }
  return undefined;
}

const PACKAGES: Record<string, string> = {
  tgtd: 'tgt',
  tgtadm: 'tgt',
  'iscsi-ls': 'libiscsi-bin',
  'iscsi-inq': 'libiscsi-bin',
  'iscsi-readcapacity16': 'libiscsi-bin',
  iscsiadm: 'open-iscsi',
  unshare: 'util-linux',
  cp: 'coreutils',
};

/** Throws one clear message naming every missing tool and the Debian packages that bring them. */
export function requireTools(tools: string[]): void {
  const missing = tools.filter((t) => !which(t));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((t) => PACKAGES[t] ?? t))].join(' ');
  throw new Error(
    `the data path host tier needs ${missing.join(', ')} on this machine; install them with: ` +
      `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${pkgs}`,
  );
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function run(file: string, args: string[], timeoutMs = 10_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** iscsi://[user%secret@]host:port/[iqn/lun] */
export function iscsiUrl(host: string, port: number, target?: string, lun?: number, chap?: { user: string; secret: string }): string {
  const auth = chap ? `${encodeURIComponent(chap.user)}%${encodeURIComponent(chap.secret)}@` : '';
  return `iscsi://${auth}${host}:${port}/${target ? `${target}/${lun ?? 0}` : ''}`;
}

/** Sendtargets discovery through one portal: the target names it answers with. */
export async function discover(host: string, port: number): Promise<string[]> {
  const r = await run('iscsi-ls', [iscsiUrl(host, port)]);
  if (r.code !== 0) throw new Error(`iscsi-ls ${host}:${port} exited ${r.code}: ${r.stderr.trim()}`);
  return [...r.stdout.matchAll(/^Target:(\S+) Portal:/gm)].map((m) => m[1]);
}

/**
 * Targets a portal offers; [] also when tgtd has no target at all — it then resets the
 * discovery connection instead of answering an empty list (the appliance answers empty).
 */
export async function offered(host: string, port: number): Promise<string[]> {
  return discover(host, port).catch((e: Error) => {
    if (/reset by peer|reconnect/i.test(e.message)) return [];
    throw e;
  });
}

/** Exact capacity in bytes (iscsi-readcapacity16 -s). */
export async function capacity(url: string): Promise<number> {
  const r = await run('iscsi-readcapacity16', ['-s', url]);
  if (r.code !== 0) throw new Error(`iscsi-readcapacity16 exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return Number(r.stdout.trim());
}

/** VPD page 0x80 (decimal 128: the tool takes decimal only). */
export async function unitSerial(url: string): Promise<string> {
  const r = await run('iscsi-inq', ['-e', '1', '-c', '128', url]);
  if (r.code !== 0) throw new Error(`iscsi-inq exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  const m = /Unit Serial Number:\[\s*([^\]]*)\]/.exec(r.stdout);
  if (!m) throw new Error(`no unit serial in: ${r.stdout}`);
  return m[1];
}

/** Standard INQUIRY vendor and product. */
export async function inquiry(url: string): Promise<{ vendor: string; product: string }> {
  const r = await run('iscsi-inq', [url]);
  if (r.code !== 0) throw new Error(`iscsi-inq exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  return { vendor: /^Vendor:(.*)$/m.exec(r.stdout)?.[1].trim() ?? '', product: /^Product:(.*)$/m.exec(r.stdout)?.[1].trim() ?? '' };
}

/** `iscsi-ls -s`: log in to every target on the portal and list LUNs; the exit code tells if login worked. */
export function listLuns(host: string, port: number, chap?: { user: string; secret: string }): Promise<Run> {
  return run('iscsi-ls', ['-s', iscsiUrl(host, port, undefined, undefined, chap)]);
}

/** Is any process with this PID alive? */
export function alive(pid: number | undefined): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
