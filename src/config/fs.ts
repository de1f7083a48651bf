// The file-system calls configuration loading needs; injected so tests can use a fake tree.
import type * as nodeFs from 'node:fs';

export type FileSystem = Pick<typeof nodeFs, 'readFileSync' | 'statSync'>;
