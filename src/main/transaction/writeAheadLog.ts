import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';

// The log's bytes on disk. A header, written and synced before the run's first
// write to the file, says which file and how long it was; the commit record,
// appended at commit and synced, holds every byte the run wrote inside that
// length, with a checksum over the whole log. A commit record that is
// incomplete or fails its checksum was never committed.
//
//   "H5BLKWAL" u32 headerLength  header (JSON: LogHeader)
//   "H5BLKCMT" u64 finalSize  u32 count  count × (u64 offset  u32 length  bytes)  sha256(everything before)

const HEADER_MAGIC = Buffer.from('H5BLKWAL', 'latin1');
const COMMIT_MAGIC = Buffer.from('H5BLKCMT', 'latin1');

export interface LogHeader {
  /** Length of the file before the run: everything at or past it is the run's own. */
  originalSize: number;
  /** The file's identity (as decimal strings: inode numbers may exceed 2^53). */
  dev: string;
  ino: string;
  runId: string;
}

export interface Extent {
  offset: number;
  bytes: Uint8Array;
}

export interface CommitRecord {
  /** The file's length once the logged bytes are in place. */
  finalSize: number;
  extents: Extent[];
}

export interface ReadLog {
  header: LogHeader;
  /** Absent: the run did not reach its commit point. */
  commit?: CommitRecord;
}

export function encodeHeader(header: LogHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([HEADER_MAGIC, length, json]);
}

export function encodeCommit(headerBytes: Uint8Array, record: CommitRecord): Buffer {
  const head = Buffer.alloc(8 + 8 + 4);
  COMMIT_MAGIC.copy(head, 0);
  head.writeBigUInt64LE(BigInt(record.finalSize), 8);
  head.writeUInt32LE(record.extents.length, 16);
  const parts: Buffer[] = [head];
  for (const extent of record.extents) {
    const where = Buffer.alloc(12);
    where.writeBigUInt64LE(BigInt(extent.offset), 0);
    where.writeUInt32LE(extent.bytes.length, 8);
    parts.push(where, Buffer.from(extent.bytes.buffer, extent.bytes.byteOffset, extent.bytes.byteLength));
  }
  const hash = createHash('sha256').update(headerBytes);
  for (const part of parts) hash.update(part);
  parts.push(hash.digest());
  return Buffer.concat(parts);
}

/** Creates the log holding only its header, synced: from here on, recovery knows the original length. */
export function createLog(path: string, header: LogHeader): { fd: number; headerBytes: Buffer } {
  const headerBytes = encodeHeader(header);
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeAll(fd, headerBytes, 0);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return { fd, headerBytes };
}

/** Appends the commit record and syncs it: the commit point. */
export function writeCommit(fd: number, headerBytes: Buffer, record: CommitRecord): void {
  writeAll(fd, encodeCommit(headerBytes, record), headerBytes.length);
  fsyncSync(fd);
}

/** Reads a log; undefined when even its header is unreadable (a log torn while being created). */
export function readLog(path: string): ReadLog | undefined {
  const bytes = readFileSync(path);
  if (bytes.length < 12 || !bytes.subarray(0, 8).equals(HEADER_MAGIC)) return undefined;
  const headerEnd = 12 + bytes.readUInt32LE(8);
  if (headerEnd > bytes.length) return undefined;
  let header: LogHeader;
  try {
    header = JSON.parse(bytes.subarray(12, headerEnd).toString('utf8')) as LogHeader;
  } catch {
    return undefined;
  }
  if (typeof header.originalSize !== 'number') return undefined;
  return { header, commit: parseCommit(bytes, headerEnd) };
}

function parseCommit(bytes: Buffer, start: number): CommitRecord | undefined {
  if (bytes.length < start + 20 + 32 || !bytes.subarray(start, start + 8).equals(COMMIT_MAGIC)) return undefined;
  const finalSize = Number(bytes.readBigUInt64LE(start + 8));
  const count = bytes.readUInt32LE(start + 16);
  const extents: Extent[] = [];
  let at = start + 20;
  for (let i = 0; i < count; i++) {
    if (at + 12 > bytes.length) return undefined;
    const offset = Number(bytes.readBigUInt64LE(at));
    const length = bytes.readUInt32LE(at + 8);
    at += 12;
    if (at + length > bytes.length) return undefined;
    extents.push({ offset, bytes: bytes.subarray(at, at + length) });
    at += length;
  }
  if (at + 32 !== bytes.length) return undefined;
  const expected = createHash('sha256').update(bytes.subarray(0, at)).digest();
  return expected.equals(bytes.subarray(at, at + 32)) ? { finalSize, extents } : undefined;
}

export function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}
