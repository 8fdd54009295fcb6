/**
 * A global heap collection (GCOL, version 1) holding one object, as HDF5
 * writes it: the 16-byte collection header (signature, version, reserved,
 * collection size), the object (index, reference count, reserved, size, data
 * padded to 8 bytes), then the free-space object 0 whose size counts its own
 * 16-byte header. A collection is never smaller than 4096 bytes.
 */
const MIN_COLLECTION = 4096;

export function encodeCollection(object: Buffer, lengthSize: number): Buffer {
  const objectHeader = 8 + lengthSize;
  const padded = Math.ceil(object.length / 8) * 8;
  const used = 8 + lengthSize + objectHeader + padded;
  // Room for the free-space object's header, and at least the minimum size.
  const size = Math.max(MIN_COLLECTION, Math.ceil((used + objectHeader) / 8) * 8);
  const bytes = Buffer.alloc(size);
  bytes.write('GCOL', 0, 'latin1');
  bytes[4] = 1;
  writeLength(bytes, 8, size, lengthSize);
  let p = 8 + lengthSize;
  bytes.writeUInt16LE(1, p); // heap object index
  bytes.writeUInt16LE(0, p + 2); // reference count, as the library writes for VDS mappings
  writeLength(bytes, p + 8, object.length, lengthSize);
  object.copy(bytes, p + objectHeader);
  p += objectHeader + padded;
  // Free space: object 0, its size counting its own header.
  writeLength(bytes, p + 8, size - p, lengthSize);
  return bytes;
}

/** The data of object `index` in a collection, or an error naming what is wrong. */
export function collectionObject(collection: Buffer, index: number, lengthSize: number): Buffer {
  if (collection.subarray(0, 4).toString('latin1') !== 'GCOL' || collection[4] !== 1) throw new Error('global heap collection signature not found');
  const size = readLength(collection, 8, lengthSize);
  if (size > collection.length) throw new Error('global heap collection is truncated');
  const objectHeader = 8 + lengthSize;
  for (let p = 8 + lengthSize; p + objectHeader <= size;) {
    const at = collection.readUInt16LE(p);
    const length = readLength(collection, p + 8, lengthSize);
    if (at === 0) break;
    if (p + objectHeader + length > size) throw new Error('global heap object overruns its collection');
    if (at === index) return collection.subarray(p + objectHeader, p + objectHeader + length);
    p += objectHeader + Math.ceil(length / 8) * 8;
  }
  throw new Error(`global heap object ${index} not found`);
}

export function readLength(bytes: Buffer, at: number, size: number): number {
  return size === 8 ? Number(bytes.readBigUInt64LE(at)) : bytes.readUInt32LE(at);
}

function writeLength(bytes: Buffer, at: number, value: number, size: number): void {
  if (size === 8) bytes.writeBigUInt64LE(BigInt(value), at);
  else bytes.writeUInt32LE(value, at);
}
