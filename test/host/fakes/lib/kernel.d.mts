// eslint-disable-next-line @typescript-eslint/no-explicit-any
export declare function removeDisk(state: any, name: string): void;
