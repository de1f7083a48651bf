// Public API of the login flow: a volume or snapshot made a block device on this host, and back.
export * from './volumeLogin';
