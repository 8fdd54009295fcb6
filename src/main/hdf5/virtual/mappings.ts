import { lookup3 } from '../checksum';
import { decodeSelection, encodeSelection, type Selection } from './selection';

/**
 * A virtual dataset's mappings, as the global heap object its layout message
 * points at holds them (format version 0): the entry count (size of lengths),
 * per entry the source file ("." for this file), the source dataset, the
 * source selection and the virtual selection, then a lookup3 checksum of all of it.
 */
export interface VirtualMapping {
  file: string;
  dataset: string;
  source: Selection;
  virtual: Selection;
}

export function encodeMappings(mappings: VirtualMapping[], lengthSize: number): Buffer {
  const count = Buffer.alloc(lengthSize);
  if (lengthSize === 8) count.writeBigUInt64LE(BigInt(mappings.length));
  else count.writeUInt32LE(mappings.length);
  const parts: Buffer[] = [Buffer.from([0]), count];
  for (const mapping of mappings) {
    parts.push(cString(mapping.file), cString(mapping.dataset), encodeSelection(mapping.source), encodeSelection(mapping.virtual));
  }
  const body = Buffer.concat(parts);
  const checksum = Buffer.alloc(4);
  checksum.writeUInt32LE(lookup3(body));
  return Buffer.concat([body, checksum]);
}

export function decodeMappings(bytes: Buffer, lengthSize: number): VirtualMapping[] {
  if (bytes.length < 1 + lengthSize + 4) throw new Error('virtual dataset mappings are truncated');
  if (bytes[0] !== 0) throw new Error(`virtual dataset mappings version ${bytes[0]} is not known`);
  const stored = bytes.readUInt32LE(bytes.length - 4);
  if (lookup3(bytes.subarray(0, bytes.length - 4)) !== stored) throw new Error('virtual dataset mappings fail their checksum');
  const count = lengthSize === 8 ? Number(bytes.readBigUInt64LE(1)) : bytes.readUInt32LE(1);
  const end = bytes.length - 4;
  const mappings: VirtualMapping[] = [];
  let p = 1 + lengthSize;
  for (let i = 0; i < count; i++) {
    const file = readCString(bytes, p, end);
    p += Buffer.byteLength(file) + 1;
    const dataset = readCString(bytes, p, end);
    p += Buffer.byteLength(dataset) + 1;
    const source = decodeSelection(bytes, p);
    p += source.size;
    const virtual = decodeSelection(bytes, p);
    p += virtual.size;
    if (p > end) throw new Error('virtual dataset mappings are truncated');
    mappings.push({ file, dataset, source: source.selection, virtual: virtual.selection });
  }
  return mappings;
}

function cString(text: string): Buffer {
  if (text.includes('\0')) throw new Error('a name holds a NUL character');
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.from([0])]);
}

function readCString(bytes: Buffer, at: number, end: number): string {
  const nul = bytes.indexOf(0, at);
  if (nul < 0 || nul >= end) throw new Error('virtual dataset mappings hold an unterminated name');
  return bytes.subarray(at, nul).toString('utf8');
}
