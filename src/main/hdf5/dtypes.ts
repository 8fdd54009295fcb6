import type { Metadata } from 'h5wasm';
import type { Dtype, DtypeClass } from '@shared/entities';

/**
 * In-memory sizes of variable-length elements as libhdf5 reports them on a
 * 64-bit machine (a pointer for a string, hvl_t's length and pointer for a
 * sequence): h5wasm's module is 32-bit, so its own 4 and 8 would mislead,
 * and so would its sizes of compounds and arrays that hold them.
 */
const VLEN_STRING_BYTES = 8;
const VLEN_SEQUENCE_BYTES = 16;
/** sizeof(H5R_ref_t): HDF5 1.12's reference type; the older ones are 8 (object) and 12 (region) bytes. */
const NEW_REFERENCE_BYTES = 64;

// HDF5 type classes, as h5wasm reports them in Metadata.type.
const CLASS_BY_CODE: Record<number, DtypeClass> = {
  0: 'integer',
  1: 'float',
  2: 'time',
  3: 'string',
  4: 'bitfield',
  5: 'opaque',
  6: 'compound',
  7: 'reference',
  8: 'enum',
  9: 'vlen',
  10: 'array',
};

/** A type as a header declares it, for an object the HDF5 library will not open: its class and size only. */
export function declaredDtype(classCode: number, size: number): Dtype {
  const cls = CLASS_BY_CODE[classCode] ?? 'unknown';
  return { class: cls, size, description: `${cls} (${size} bytes, as its header declares it)` };
}

export function describeDtype(meta: Metadata): Dtype {
  const cls = CLASS_BY_CODE[meta.type] ?? 'unknown';
  const endianness = meta.littleEndian ? 'little' : 'big';
  const bits = meta.size * 8;
  switch (cls) {
    case 'integer': {
      const numpy = `${meta.size === 1 ? '|' : meta.littleEndian ? '<' : '>'}${meta.signed ? 'i' : 'u'}${meta.size}`;
      return {
        class: cls, size: meta.size, endianness, signed: meta.signed, numpy,
        description: `${bits}-bit ${meta.signed ? 'signed' : 'unsigned'} integer${meta.size > 1 ? `, ${endianness}-endian` : ''}`,
      };
    }
    case 'float':
      return {
        class: cls, size: meta.size, endianness, numpy: `${meta.littleEndian ? '<' : '>'}f${meta.size}`,
        description: `${bits}-bit float, ${endianness}-endian`,
      };
    case 'string': {
      const charset = meta.cset === 1 ? 'utf-8' : 'ascii';
      return {
        class: cls, size: meta.vlen ? VLEN_STRING_BYTES : meta.size, charset, variableLength: meta.vlen,
        numpy: meta.vlen ? 'O' : `|S${meta.size}`,
        description: meta.vlen ? `variable-length ${charset} string` : `${meta.size}-byte ${charset} string`,
      };
    }
    case 'compound': {
      const members = (meta.compound_type?.members ?? []).map((m) => ({ name: m.name, dtype: describeDtype(m) }));
      // libhdf5 grows the compound by each variable-length member's growth, without realigning (H5T_set_loc).
      const growth = (meta.compound_type?.members ?? []).reduce((sum, m, i) => sum + members[i].dtype.size - m.size, 0);
      return {
        class: cls, size: meta.size + growth, members,
        description: `compound {${members.map((m) => `${m.name}: ${m.dtype.description}`).join('; ')}}`,
      };
    }
    case 'enum': {
      const enumMembers = meta.enum_type?.members ?? {};
      return {
        class: cls, size: meta.size, enumMembers,
        description: `enum of ${bits}-bit integer {${Object.entries(enumMembers).map(([k, v]) => `${k}=${v}`).join(', ')}}`,
      };
    }
    case 'vlen': {
      const base = meta.vlen_type ? describeDtype(meta.vlen_type) : undefined;
      return { class: cls, size: VLEN_SEQUENCE_BYTES, variableLength: true, base, description: `variable-length sequence of ${base?.description ?? 'unknown'}` };
    }
    case 'reference': {
      // HDF5 1.12's H5T_STD_REF (64 bytes, H5R_ref_t) does not say what its values point to; h5wasm calls it "region".
      if (meta.size === NEW_REFERENCE_BYTES) {
        return { class: cls, size: meta.size, referenceKind: 'any', description: 'reference (HDF5 1.12 form: to an object, a region or an attribute)' };
      }
      const referenceKind = meta.ref_type === 'region' ? 'region' : 'object';
      return { class: cls, size: meta.size, referenceKind, description: `${referenceKind} reference` };
    }
    case 'array': {
      const base = meta.array_type ? describeDtype(meta.array_type) : undefined;
      const arrayDims = meta.array_type?.shape ?? [];
      // Each element as libhdf5 sizes it on a 64-bit machine (a variable-length base grows).
      const size = base && meta.array_type ? meta.size + arrayDims.reduce((a, b) => a * b, 1) * (base.size - meta.array_type.size) : meta.size;
      return { class: cls, size, base, arrayDims, description: `array [${arrayDims.join('×')}] of ${base?.description ?? 'unknown'}` };
    }
    default:
      return { class: cls, size: meta.size, description: `${cls} (${meta.size} bytes)` };
  }
}

/** Element kinds the row-norm kernel reads; `f2` arrives as raw IEEE half bits. */
export type NumericKind = 'f2' | 'f4' | 'f8' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'i8' | 'u8';

export function numericKind(meta: Metadata): NumericKind | undefined {
  if (meta.type === 1 && [2, 4, 8].includes(meta.size)) return `f${meta.size}` as NumericKind;
  if (meta.type === 0 && [1, 2, 4, 8].includes(meta.size)) return `${meta.signed ? 'i' : 'u'}${meta.size}` as NumericKind;
  return undefined;
}
