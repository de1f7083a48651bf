// A bounded TCP connect, used to see whether an iSCSI portal is listening.
import { connect } from 'node:net';

export type TcpOutcome = 'open' | 'refused' | 'timeout' | 'unreachable';
export type TcpProbe = (address: string, port: number, timeoutMs: number) => Promise<TcpOutcome>;

export const tcpProbe: TcpProbe = (address, port, timeoutMs) =>
  new Promise((resolve) => {
    const socket = connect({ host: address, port });
    const done = (outcome: TcpOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    socket.once('connect', () => done('open'));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'unreachable'));
  });
