// One TCP listener per REST address, all on the same port (like the appliance's port 82 on
// every node address). Accepted sockets are handed to the single HTTPS server, except on a
// "blackhole" address (accepted, never answered). A "down" address has no listener at all,
// so connections are refused, and its open connections are cut — like a dead node.
import { createServer, isIPv4, type Server, type Socket } from 'node:net';

const PORT_ATTEMPTS = 20;

export function isLoopback(address: string): boolean {
  return (isIPv4(address) && address.split('.')[0] === '127') || address === '::1';
}

function listen(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host: address, port, exclusive: true }, () => {
      server.off('error', onError);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound ? bound.port : port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export class AddressListeners {
  private servers = new Map<string, Server>();
  private sockets = new Map<string, Set<Socket>>();
  private readonly down = new Set<string>();
  private readonly blackholed = new Set<string>();
  port = 0;

  constructor(
    readonly addresses: string[],
    private readonly accept: (socket: Socket) => void,
  ) {
    for (const a of addresses) this.sockets.set(a, new Set());
  }

  /** Bind every address on one port: the given one, or a free one common to all. */
  async open(port?: number): Promise<void> {
    for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      try {
        let chosen = port ?? 0;
        for (const address of this.addresses) chosen = await this.bind(address, chosen);
        this.port = chosen;
        return;
      } catch (err) {
        await Promise.all([...this.servers.values()].map(closeServer));
        this.servers.clear();
        const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!inUse || port) throw err; // a fixed port that is taken is the caller's problem
      }
    }
    throw new Error(`no port free on all of ${this.addresses.join(', ')}`);
  }

  private async bind(address: string, port: number): Promise<number> {
    const server = createServer((socket) => this.onSocket(address, socket));
    const bound = await listen(server, address, port);
    this.servers.set(address, server);
    return bound;
  }

  private onSocket(address: string, socket: Socket): void {
    const open = this.sockets.get(address)!;
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    if (this.blackholed.has(address)) return; // hold it: no TLS handshake, no answer
    this.accept(socket);
  }

  state(): Record<string, { down: boolean; blackhole: boolean; connections: number }> {
    const out: Record<string, { down: boolean; blackhole: boolean; connections: number }> = {};
    for (const a of this.addresses)
      out[a] = { down: this.down.has(a), blackhole: this.blackholed.has(a), connections: this.sockets.get(a)!.size };
    return out;
  }

  async setState(address: string, change: { down?: boolean; blackhole?: boolean }): Promise<void> {
    if (!this.sockets.has(address)) throw new Error(`not a listen address: ${address}`);
    if (change.blackhole !== undefined) {
      if (change.blackhole) this.blackholed.add(address);
      else this.blackholed.delete(address);
    }
    if (change.down === true && !this.down.has(address)) {
      this.down.add(address);
      const server = this.servers.get(address);
      this.servers.delete(address);
      for (const s of this.sockets.get(address)!) s.destroy();
      if (server) await closeServer(server);
    } else if (change.down === false && this.down.has(address)) {
      await this.bind(address, this.port);
      this.down.delete(address);
    }
  }

  async closeAll(): Promise<void> {
    for (const set of this.sockets.values()) for (const s of set) s.destroy();
    await Promise.all([...this.servers.values()].map(closeServer));
    this.servers.clear();
  }
}
