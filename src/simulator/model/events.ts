// Data events: how the ZFS model tells a data path what happened to a zvol's blocks.
/**
 * What happened to a zvol's data, raised by the ZFS model with the appliance's semantics (a
 * destroyed volume first loses its snapshots, a rollback first destroys the newer snapshots,
 * a rename carries the snapshots along). `restored` marks events replayed from a state file
 * at start: keep an existing image instead of starting from zeros.
 */
export type DataEvent =
  | { kind: 'volumeCreated'; volume: string; sizeBytes: number; restored?: boolean }
  | { kind: 'volumeResized'; volume: string; sizeBytes: number }
  | { kind: 'volumeRenamed'; from: string; to: string; snapshots: string[] }
  | { kind: 'volumeDeleted'; volume: string }
  | { kind: 'snapshotCreated'; volume: string; snapshot: string; sizeBytes: number; restored?: boolean }
  | { kind: 'snapshotDeleted'; volume: string; snapshot: string }
  | { kind: 'cloneCreated'; volume: string; origin: { volume: string; snapshot: string }; sizeBytes: number; restored?: boolean }
  | { kind: 'rolledBack'; volume: string; snapshot: string; sizeBytes: number };
