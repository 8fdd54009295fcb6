/**
 * Bytes at positions, the view raw-format editors (link removal, a virtual
 * dataset writer) need of a file. An open transaction implements it: reads see
 * the transaction's own writes, and writes follow its rules (logged inside the
 * file's original length, appended past it), so an editor never needs to know
 * whether it edits a plain file or one inside a run.
 */
export interface ByteStore {
  size(): number;
  readAt(position: number, length: number): Uint8Array;
  /** Reads up to `length` bytes at `position` into `target` at `offset`; returns how many (fewer only at the end). */
  read(target: Uint8Array, offset: number, length: number, position: number): number;
  writeAt(position: number, bytes: Uint8Array): void;
}
