// Picking the iSCSI port when the caller leaves it to us (tests run beside other simulators).
import { createServer } from 'node:net';

/** A TCP port that can be bound on every address right now (tgtd binds it a moment later). */
export async function freePortOn(addresses: string[]): Promise<number> {
  const tryBind = (address: string, port: number) =>
    new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen({ host: address, port, exclusive: true }, () => {
        const bound = s.address();
        s.close(() => resolve(typeof bound === 'object' && bound ? bound.port : port));
      });
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await tryBind(addresses[0], 0);
    const ok = await Promise.all(
      addresses.slice(1).map((a) =>
        tryBind(a, port).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (ok.every(Boolean)) return port;
  }
  throw new Error(`data path: no port free on all of ${addresses.join(', ')}`);
}
