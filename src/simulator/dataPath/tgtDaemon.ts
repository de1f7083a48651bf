// One supervised `tgtd -f` bound to exactly one portal, with a private control socket
// (TGT_IPC_SOCKET), so it never touches a system tgtd or another simulator's.
//
// Facts this relies on (measured with Debian 12's tgt): tgtd ignores SIGTERM; it stops
// after "offline → delete targets --force → delete system"; without `portal=` it binds the
// wildcard address; and it keeps running when its portal cannot be bound (so the portal list
// is checked after start). tgtd appends ".0" to TGT_IPC_SOCKET; tgtadm does the same.
//
// Never left behind: tgtd runs under a small sh wrapper whose watchdog reads our stdin pipe and
// SIGKILLs tgtd when it sees end-of-file — which happens when close() gives up on a clean stop,
// and also when this Node process dies in any way (even SIGKILL), since the pipe closes then.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExec, execTool, type Exec, type ExecResult } from './exec';

const WRAPPER = `
exec 3<&0 </dev/null
"$1" -f --iscsi "portal=$2" >>"$3" 2>&1 3<&- &
t=$!
echo "$t"
( read -r _ <&3; kill -KILL "$t" 2>/dev/null ) &
w=$!
exec 3<&-
wait "$t"; rc=$?
kill "$w" 2>/dev/null
exit $rc
`;

export interface TgtDaemonOptions {
  address: string;
  port: number;
  socket: string; // TGT_IPC_SOCKET
  logFile: string;
  tgtd?: string;
  tgtadm?: string;
  exec?: Exec;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
}

export class TgtDaemon {
  readonly portal: string;
  /** PID of tgtd itself (not of the wrapper), once started. */
  pid: number | undefined;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private running = false;
  private readonly exec: Exec;

  constructor(private readonly o: TgtDaemonOptions) {
    this.portal = `${o.address}:${o.port}`;
    this.exec = o.exec ?? execTool;
  }

  /** tgtadm against this daemon; `--lld iscsi` is added unless `system` (mode sys/system). */
  tgtadm(args: string[], system = false): Promise<ExecResult> {
    const full = system ? args : ['--lld', 'iscsi', ...args];
    return this.exec(this.o.tgtadm ?? 'tgtadm', full, { env: { TGT_IPC_SOCKET: this.o.socket }, timeoutMs: 10_000 });
  }

  /** tgtadm that must succeed; returns its stdout. */
  async must(args: string[]): Promise<string> {
    const r = await this.tgtadm(args);
    if (r.code !== 0) throw new Error(`data path (tgtd ${this.portal}): ${describeExec('tgtadm', ['--lld', 'iscsi', ...args], r)}`);
    return r.stdout;
  }

  async start(): Promise<void> {
    const child = spawn('/bin/sh', ['-c', WRAPPER, 'jdssc-tgtd', this.o.tgtd ?? 'tgtd', this.portal, this.o.logFile], {
      stdio: ['pipe', 'pipe', 'ignore'],
      detached: true, // its own session: a Ctrl-C meant for us is not its business; the pipe is
      env: { ...process.env, TGT_IPC_SOCKET: this.o.socket },
    });
    this.child = child;
    this.running = true;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => (this.running = false));
    child.once('error', () => (this.running = false));
    // Nothing here may keep the Node process alive: if it exits, the watchdog cleans up.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stdout as unknown as { unref?: () => void } | null)?.unref?.();
    child.stdout?.setEncoding('utf8');
    child.stdout?.once('data', (line: string) => (this.pid = Number.parseInt(line, 10) || undefined));

    const deadline = Date.now() + (this.o.readyTimeoutMs ?? 5_000);
    for (;;) {
      if (!this.running) throw new Error(`data path: tgtd for ${this.portal} exited at start${await this.logTail()}`);
      if (this.pid !== undefined && (await this.tgtadm(['--op', 'show', '--mode', 'sys'], true)).code === 0) break;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `data path: tgtd for ${this.portal} did not answer within ${this.o.readyTimeoutMs ?? 5_000} ms${await this.logTail()}`,
        );
      }
      await sleep(10);
    }
    const portals = await this.must(['--op', 'show', '--mode', 'portal']);
    if (!portals.split('\n').some((l) => l.trim().startsWith(`Portal: ${this.portal},`))) {
      const tail = await this.logTail();
      await this.stop();
      throw new Error(`data path: tgtd could not listen on ${this.portal} (address not local, or port in use?)${tail}`);
    }
  }

  /** Clean stop, else the watchdog's SIGKILL, else our own. Idempotent. */
  async stop(): Promise<void> {
    if (!this.child) return;
    if (this.running) {
      await this.tgtadm(['--op', 'update', '--mode', 'sys', '--name', 'State', '-v', 'offline'], true).catch(() => undefined);
      const show = await this.tgtadm(['--op', 'show', '--mode', 'target']).catch(() => undefined);
      for (const m of show?.stdout.matchAll(/^Target (\d+):/gm) ?? []) {
        await this.tgtadm(['--op', 'delete', '--mode', 'target', '--tid', m[1], '--force']).catch(() => undefined);
      }
      await this.tgtadm(['--op', 'delete', '--mode', 'system'], true).catch(() => undefined);
      if (!(await this.waitExit(this.o.stopTimeoutMs ?? 3_000))) {
        this.child.stdin?.end(); // the watchdog kills tgtd
        if (!(await this.waitExit(2_000)) && this.pid) {
          try {
            process.kill(this.pid, 'SIGKILL');
          } catch {
            // already gone
          }
          await this.waitExit(2_000);
        }
      }
    }
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child = undefined;
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (!this.running) return true;
    const cancel = new AbortController();
    const timer = sleep(ms, false, { signal: cancel.signal }).catch(() => false);
    const done = await Promise.race([this.exited.then(() => true), timer]);
    cancel.abort(); // no timer left behind to hold the event loop
    return done;
  }

  private async logTail(): Promise<string> {
    const text = await readFile(this.o.logFile, 'utf8').catch(() => '');
    const lines = text
      .trim()
      .split('\n')
      .filter((l) => l && !/RDMA|oom-killer|nr_open|timer_fd|signalfd/.test(l));
    return lines.length ? `: ${lines.slice(-3).join(' | ')}` : '';
  }
}
