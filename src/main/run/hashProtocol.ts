/** Messages between a writer and src/workers/hashWorker.ts. */
export type HashRequest =
  | { op: 'backlog'; counter: SharedArrayBuffer }
  /** `giveBack`: send the buffer back once hashed (the writer reuses it for a later block). */
  | { op: 'update'; session: string; buffer: ArrayBuffer; byteOffset: number; byteLength: number; giveBack?: number }
  | { op: 'digest'; session: string }
  | { op: 'drop'; session: string };

export type HashReply =
  | { session: string; digest: string }
  /** A buffer hashed and given back (`giveBack` of its update). */
  | { returned: number; buffer: ArrayBuffer };
