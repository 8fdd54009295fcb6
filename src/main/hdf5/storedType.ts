import type { Metadata } from 'h5wasm';
import type { Dtype } from '@shared/entities';
import type { ByteStore } from '../transaction/byteStore';
import type { H5File, H5Module } from './h5wasm';
import { ByteFile, readObjectHeader, readSuperblock, type HeaderMessage, type Superblock } from './rawFormat';

/**
 * How a dataset's numbers are stored, read from its Datatype message: the
 * parts h5wasm does not report and a reader must honour to get libhdf5's
 * values. h5wasm reads with the file's own type as the memory type (only the
 * byte order set to little-endian), so libhdf5 converts nothing: an integer of
 * 16 significant bits at bit offset 4 (what N-bit packing is made for), a float
 * with its own exponent and mantissa fields, or a VAX float arrives as its raw
 * bits. Such types are refused by runs (whyNotExact) and shown by the tree.
 */
export interface StoredType {
  class: 'integer' | 'float' | 'other';
  size: number;
  order: 'little' | 'big' | 'vax';
  signed?: boolean;
  /** Significant bits, and where they start in the element (bit offset). */
  precision: number;
  bitOffset: number;
  /** Floats: where the sign, exponent and mantissa lie, and the exponent bias. */
  fields?: { signBit: number; exponentBit: number; exponentBits: number; mantissaBit: number; mantissaBits: number; bias: number; normalization: number };
}

const DATATYPE_MESSAGE = 0x03;
const SHARED = 0x02;

/** HDF5's IEEE layouts, by element size: sign bit, exponent position and size, mantissa position and size, bias. */
const IEEE: Record<number, [number, number, number, number, number, number]> = {
  2: [15, 10, 5, 0, 10, 15],
  4: [31, 23, 8, 0, 23, 127],
  8: [63, 52, 11, 0, 52, 1023],
};
/** Mantissa normalization "implied" (the leading 1 is not stored), as IEEE has it. */
const IMPLIED = 2;

/** Parses a Datatype message's fixed-point or floating-point description; `other` for every other class. */
export function parseDatatype(data: Buffer): StoredType {
  const typeClass = data[0] & 0x0f;
  const bits = data[1] | (data[2] << 8) | (data[3] << 16);
  const size = data.readUInt32LE(4);
  if (typeClass === 0) {
    return {
      class: 'integer', size, order: bits & 1 ? 'big' : 'little', signed: (bits & 0x08) !== 0,
      bitOffset: data.readUInt16LE(8), precision: data.readUInt16LE(10),
    };
  }
  if (typeClass === 1) {
    const order = (bits & 0x41) === 0x41 ? 'vax' : bits & 1 ? 'big' : 'little';
    return {
      class: 'float', size, order, bitOffset: data.readUInt16LE(8), precision: data.readUInt16LE(10),
      fields: {
        signBit: (bits >> 8) & 0xff, exponentBit: data[12], exponentBits: data[13], mantissaBit: data[14], mantissaBits: data[15],
        bias: data.readUInt32LE(16), normalization: (bits >> 4) & 3,
      },
    };
  }
  return { class: 'other', size, order: bits & 1 ? 'big' : 'little', precision: size * 8, bitOffset: 0 };
}

/** The object's element type from its header, following a committed (shared) datatype; undefined when it cannot be read. */
export function storedTypeIn(file: ByteStore, sb: Superblock, messages: HeaderMessage[], depth = 0): StoredType | undefined {
  const message = messages.find((m) => m.type === DATATYPE_MESSAGE);
  if (!message) return undefined;
  if (!(message.flags & SHARED)) return parseDatatype(message.data);
  if (depth > 0) return undefined;
  const data = message.data;
  const version = data[0];
  // Version 1 has 6 reserved bytes before the address; version 3 type 2 is a committed datatype (type 1, a shared-message heap, is not read here).
  let addressAt: number;
  if (version === 1) addressAt = 8;
  else if (version === 2) addressAt = 2;
  else if (version === 3 && data[1] === 2) addressAt = 2;
  else return undefined;
  const address = sb.base + Number(data.readBigUInt64LE(addressAt));
  return storedTypeIn(file, sb, readObjectHeader(file, sb, address).messages, depth + 1);
}

/** The address of the object's header, as libhdf5 resolves the path (through any link kind). */
export function objectHeaderAddress(module: H5Module, file: H5File, path: string): number | undefined {
  try {
    const reference = module.create_object_reference(file.file_id, path);
    if (!reference || reference.length !== 8) return undefined;
    const address = Buffer.from(Array.from(reference)).readBigUInt64LE(0);
    return address === 0xffffffffffffffffn || address === 0n ? undefined : Number(address);
  } catch {
    return undefined;
  }
}

/**
 * The stored element type of the dataset at `path`, read from the file's bytes
 * (`source`: the file, or a run's view of it), checked against what h5wasm
 * reports so that a header reached through another file is never mistaken for
 * this one's. Undefined when it cannot be read or does not agree.
 */
export function readStoredType(source: ByteStore | string, module: H5Module, file: H5File, path: string, meta: Metadata): StoredType | undefined {
  const relative = objectHeaderAddress(module, file, path);
  if (relative === undefined) return undefined;
  let opened: ByteFile | undefined;
  try {
    const store = typeof source === 'string' ? (opened = new ByteFile(source)) : source;
    const sb = readSuperblock(store);
    const stored = storedTypeIn(store, sb, readObjectHeader(store, sb, sb.base + relative).messages);
    if (!stored || !agrees(stored, meta)) return undefined;
    return stored;
  } catch {
    return undefined;
  } finally {
    opened?.close();
  }
}

function agrees(stored: StoredType, meta: Metadata): boolean {
  if (stored.size !== meta.size) return false;
  if (stored.class === 'integer') return meta.type === 0 && stored.signed === meta.signed && (stored.order === 'little') === meta.littleEndian;
  if (stored.class === 'float') return meta.type === 1 && (stored.order === 'little') === meta.littleEndian;
  return meta.type !== 0 && meta.type !== 1;
}

/**
 * Why h5blocks' readers would not give libhdf5's values for this element type,
 * in words; undefined for full-width integers and IEEE floats of either byte
 * order, which they decode exactly.
 */
export function whyNotExact(stored: StoredType): string | undefined {
  const bits = stored.size * 8;
  if (stored.class === 'integer') {
    if (stored.precision === bits && stored.bitOffset === 0) return undefined;
    return `its elements are ${bits}-bit integers holding ${stored.precision} significant bits at bit offset ${stored.bitOffset} (a custom precision, as N-bit packing uses), which h5blocks does not read; only full-width integers are read`;
  }
  if (stored.class === 'float') {
    if (stored.order === 'vax') return `its elements are VAX ${bits}-bit floats, which h5blocks does not read; only IEEE floats are read`;
    const ieee = IEEE[stored.size];
    const f = stored.fields!;
    const standard = ieee !== undefined && stored.precision === bits && stored.bitOffset === 0 && f.normalization === IMPLIED
      && f.signBit === ieee[0] && f.exponentBit === ieee[1] && f.exponentBits === ieee[2]
      && f.mantissaBit === ieee[3] && f.mantissaBits === ieee[4] && f.bias === ieee[5];
    if (standard) return undefined;
    return `its elements are ${bits}-bit non-IEEE floats (${describeFields(stored)}), which h5blocks does not read; only IEEE floats are read`;
  }
  return undefined;
}

/** A float's layout in words: "20 bits at offset 7: sign bit 26, exponent 20–25, mantissa 7–19, bias 31". */
export function describeFields(stored: StoredType): string {
  const f = stored.fields;
  if (!f) return `${stored.precision} bits at offset ${stored.bitOffset}`;
  const range = (at: number, count: number) => (count <= 1 ? `${at}` : `${at}–${at + count - 1}`);
  return `${stored.precision} bits at offset ${stored.bitOffset}: sign bit ${f.signBit}, exponent bits ${range(f.exponentBit, f.exponentBits)}, mantissa bits ${range(f.mantissaBit, f.mantissaBits)}, bias ${f.bias}`;
}

/** A dataset's Dtype with what its stored type adds where it is not plain: precision, bit offset, float layout, VAX order. */
export function withStoredDetails(dtype: Dtype, stored: StoredType | undefined): Dtype {
  if (!stored || whyNotExact(stored) === undefined) return dtype;
  const bits = stored.size * 8;
  if (stored.class === 'integer') {
    return {
      ...dtype, precision: stored.precision, bitOffset: stored.bitOffset,
      description: `${dtype.description}, ${stored.precision} significant bits at bit offset ${stored.bitOffset}`,
    };
  }
  if (stored.order === 'vax') {
    const { numpy: _numpy, endianness: _endianness, ...rest } = dtype;
    return { ...rest, byteOrder: 'vax', precision: stored.precision, bitOffset: stored.bitOffset, description: `${bits}-bit VAX float` };
  }
  const layout = describeFields(stored);
  return {
    ...dtype, precision: stored.precision, bitOffset: stored.bitOffset, floatLayout: layout,
    description: `${bits}-bit non-IEEE float, ${dtype.endianness}-endian (${layout})`,
  };
}
