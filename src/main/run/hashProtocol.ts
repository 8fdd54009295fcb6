/** Messages between a writer and src/workers/hashWorker.ts. */
export type HashRequest =
  | { op: 'backlog'; counter: SharedArrayBuffer }
  | { op: 'update'; session: string; buffer: ArrayBuffer; byteOffset: number; byteLength: number }
  | { op: 'digest'; session: string }
  | { op: 'drop'; session: string };

export interface HashReply {
  session: string;
  digest: string;
}
