// Public API of the JovianDSS REST v4 client: the client itself (failover, retries, deadline) and
// one typed function per endpoint. The axios transport (./http) is not re-exported: it is loaded
// lazily, only by commands that talk to the appliance.
export * from './client';
export * from './httpTypes';
export * from './addressMemory';
export * from './values';
export * from './pool';
export * from './volumes';
export * from './snapshots';
export * from './targets';
export * from './nasVolumes';
export * from './nasSnapshots';
export * from './shares';
