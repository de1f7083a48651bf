// A minimal iSCSI initiator (RFC 7143) for tests: login (no auth or CHAP-MD5), READ CAPACITY,
// READ(10), logout. libiscsi's command-line tools have no block reader, and the host kernel has
// no iSCSI, so this is how a test reads a LUN's bytes over the real protocol. One connection,
// one command at a time, no digests; enough for tgt and LIO.
import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface LoginOptions {
  host: string;
  port: number;
  target: string;
  initiator?: string;
  chap?: { user: string; secret: string };
}

interface Pdu {
  bhs: Buffer;
  data: Buffer;
}

const pad4 = (n: number) => (n + 3) & ~3;

function textData(pairs: Record<string, string>): Buffer {
  return Buffer.from(
    Object.entries(pairs)
      .map(([k, v]) => `${k}=${v}\0`)
      .join(''),
    'utf8',
  );
}

function parseText(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of data.toString('utf8').split('\0')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

export class IscsiError extends Error {
  constructor(
    message: string,
    readonly statusClass?: number,
    readonly statusDetail?: number,
  ) {
    super(message);
  }
}

export class MiniInitiator {
  private buf = Buffer.alloc(0);
  private waiting: ((p: Pdu | Error) => void) | null = null;
  private queue: (Pdu | Error)[] = [];
  private itt = 1;
  private cmdSn = 1;
  private expStatSn = 0;
  private tsih = 0;
  private readonly isid = Buffer.concat([Buffer.from([0x80]), randomBytes(5)]);
  blockSize = 512;

  private constructor(private readonly sock: Socket) {
    sock.on('data', (chunk: Buffer) => this.onData(chunk));
    sock.on('error', (e) => this.push(e));
    sock.on('close', () => this.push(new Error('connection closed by the target')));
  }

  /** Connect and log in to a normal session; rejects with IscsiError on a login refusal. */
  static async login(o: LoginOptions): Promise<MiniInitiator> {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host: o.host, port: o.port }, () => resolve(s));
      s.once('error', reject);
    });
    const ini = new MiniInitiator(sock);
    try {
      await ini.negotiate(o);
    } catch (e) {
      sock.destroy();
      throw e;
    }
    return ini;
  }

  private push(p: Pdu | Error): void {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w(p);
    } else this.queue.push(p);
  }

  private onData(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.buf.length < 48) return;
      const ahs = this.buf[4] * 4;
      const dsl = this.buf.readUIntBE(5, 3);
      const total = 48 + ahs + pad4(dsl);
      if (this.buf.length < total) return;
      const pdu = { bhs: this.buf.subarray(0, 48), data: this.buf.subarray(48 + ahs, 48 + ahs + dsl) };
      this.buf = this.buf.subarray(total);
      if ((pdu.bhs[0] & 0x3f) === 0x20) continue; // NOP-In: nothing asked of us in a short session
      this.push(pdu);
    }
  }

  private next(): Promise<Pdu> {
    const ready = this.queue.shift();
    const p = ready ? Promise.resolve(ready) : new Promise<Pdu | Error>((resolve) => (this.waiting = resolve));
    return p.then((x) => {
      if (x instanceof Error) throw x;
      return x;
    });
  }

  private send(bhs: Buffer, data: Buffer = Buffer.alloc(0)): void {
    bhs.writeUIntBE(data.length, 5, 3);
    this.sock.write(Buffer.concat([bhs, data, Buffer.alloc(pad4(data.length) - data.length)]));
  }

  private async loginStep(
    csg: number,
    nsg: number,
    transit: boolean,
    pairs: Record<string, string>,
  ): Promise<{ transit: boolean; nsg: number; keys: Record<string, string> }> {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x43; // Login Request, immediate
    bhs[1] = (transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0);
    this.isid.copy(bhs, 8);
    bhs.writeUInt16BE(this.tsih, 14);
    bhs.writeUInt32BE(this.itt, 16);
    bhs.writeUInt32BE(this.cmdSn, 24);
    bhs.writeUInt32BE(this.expStatSn, 28);
    this.send(bhs, textData(pairs));
    const r = await this.next();
    if ((r.bhs[0] & 0x3f) !== 0x23) throw new IscsiError(`unexpected PDU opcode 0x${r.bhs[0].toString(16)} during login`);
    const cls = r.bhs[36];
    const detail = r.bhs[37];
    if (cls !== 0)
      throw new IscsiError(
        `login refused: status class ${cls} detail ${detail}${cls === 2 && detail === 1 ? ' (authentication failure)' : ''}`,
        cls,
        detail,
      );
    this.tsih = r.bhs.readUInt16BE(14);
    this.expStatSn = r.bhs.readUInt32BE(24) + 1;
    return { transit: (r.bhs[1] & 0x80) !== 0, nsg: r.bhs[1] & 0x03, keys: parseText(r.data) };
  }

  private async negotiate(o: LoginOptions): Promise<void> {
    const who = { InitiatorName: o.initiator ?? 'iqn.2024-01.test.jdssc:mini-initiator', TargetName: o.target, SessionType: 'Normal' };
    if (o.chap) {
      await this.loginStep(0, 1, false, { ...who, AuthMethod: 'CHAP' });
      const c = await this.loginStep(0, 1, false, { CHAP_A: '5' });
      const id = Number(c.keys.CHAP_I);
      const challenge = Buffer.from((c.keys.CHAP_C ?? '').replace(/^0x/i, ''), 'hex');
      const resp = createHash('md5')
        .update(Buffer.from([id]))
        .update(o.chap.secret)
        .update(challenge)
        .digest('hex');
      await this.loginStep(0, 1, true, { CHAP_N: o.chap.user, CHAP_R: `0x${resp}` });
    } else {
      await this.loginStep(0, 1, true, { ...who, AuthMethod: 'None' });
    }
    const op = {
      HeaderDigest: 'None',
      DataDigest: 'None',
      MaxRecvDataSegmentLength: '65536',
      InitialR2T: 'Yes',
      ImmediateData: 'No',
      MaxBurstLength: '262144',
      FirstBurstLength: '65536',
      MaxOutstandingR2T: '1',
      DataPDUInOrder: 'Yes',
      DataSequenceInOrder: 'Yes',
      ErrorRecoveryLevel: '0',
      DefaultTime2Wait: '0',
      DefaultTime2Retain: '0',
    };
    let step = await this.loginStep(1, 3, true, op);
    for (let i = 0; !(step.transit && step.nsg === 3) && i < 4; i++) step = await this.loginStep(1, 3, true, {});
    if (!(step.transit && step.nsg === 3)) throw new IscsiError('login did not reach full feature phase');
  }

  /** One SCSI command that reads `length` bytes (Data-In until status). */
  private async command(lun: number, cdb: Buffer, length: number): Promise<Buffer> {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x01;
    bhs[1] = 0x80 | 0x40 | 0x01; // Final, Read, simple task
    bhs.writeUInt16BE(lun < 256 ? lun : 0x4000 | lun, 8); // single-level LUN (flat above 255)
    const itt = ++this.itt;
    bhs.writeUInt32BE(itt, 16);
    bhs.writeUInt32BE(length, 20);
    bhs.writeUInt32BE(this.cmdSn++, 24);
    bhs.writeUInt32BE(this.expStatSn, 28);
    cdb.copy(bhs, 32);
    this.send(bhs);
    const out = Buffer.alloc(length);
    for (;;) {
      const r = await this.next();
      const op = r.bhs[0] & 0x3f;
      if (op === 0x25) {
        r.data.copy(out, r.bhs.readUInt32BE(40));
        if (r.bhs[1] & 0x01) {
          this.expStatSn = r.bhs.readUInt32BE(24) + 1;
          if (r.bhs[3] !== 0) throw new IscsiError(`SCSI status 0x${r.bhs[3].toString(16)}`);
          return out;
        }
      } else if (op === 0x21) {
        this.expStatSn = r.bhs.readUInt32BE(24) + 1;
        if (r.bhs[2] !== 0 || r.bhs[3] !== 0) throw new IscsiError(`SCSI response ${r.bhs[2]} status 0x${r.bhs[3].toString(16)}`);
        return out;
      } else throw new IscsiError(`unexpected PDU opcode 0x${op.toString(16)}`);
    }
  }

  /** READ CAPACITY(10): size in bytes (also sets blockSize). */
  async capacity(lun: number): Promise<number> {
    const cdb = Buffer.alloc(16);
    cdb[0] = 0x25;
    // The first command of a session may meet a unit attention (CHECK CONDITION): once more.
    const r = await this.command(lun, cdb, 8).catch(async () => this.command(lun, cdb, 8));
    this.blockSize = r.readUInt32BE(4);
    return (r.readUInt32BE(0) + 1) * this.blockSize;
  }

  /** READ(10) of `bytes` (a multiple of the block size) from byte `offset`. */
  async read(lun: number, offset: number, bytes: number): Promise<Buffer> {
    const cdb = Buffer.alloc(16);
    cdb[0] = 0x28;
    cdb.writeUInt32BE(offset / this.blockSize, 2);
    cdb.writeUInt16BE(bytes / this.blockSize, 7);
    return this.command(lun, cdb, bytes);
  }

  async logout(): Promise<void> {
    const bhs = Buffer.alloc(48);
    bhs[0] = 0x46; // Logout Request, immediate
    bhs[1] = 0x80; // close the session
    bhs.writeUInt32BE(++this.itt, 16);
    bhs.writeUInt32BE(this.cmdSn, 24);
    bhs.writeUInt32BE(this.expStatSn, 28);
    this.send(bhs);
    await this.next().catch(() => undefined);
    this.sock.destroy();
  }

  close(): void {
    this.sock.destroy();
  }
}
