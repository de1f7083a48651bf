// The command table. Command modules are cheap to import (no work at import time); heavy
// libraries load inside `run` (axios on the first REST request).
import poolStats from '../commands/pool/stats';
import poolVips from '../commands/pool/vips';
import simulatorStart from '../commands/simulator/start';
import type { NounDef } from './command';

export const NOUNS: NounDef[] = [
  { name: 'pool', describe: 'Pool capacity and virtual IPs', verbs: [poolStats, poolVips] },
  { name: 'simulator', describe: 'A JovianDSS REST simulator on loopback (demo, tests, safe sandbox)', verbs: [simulatorStart] },
];
