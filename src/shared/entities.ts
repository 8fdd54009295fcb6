// Plain, serialisable descriptions of HDF5 objects, in the spirit of h5web's
// entities: what the tree, the inspector and the CLI show. They cross IPC and
// WebSocket boundaries, so nothing here may hold a live handle.

export type DtypeClass =
  | 'integer'
  | 'float'
  | 'string'
  | 'compound'
  | 'enum'
  | 'vlen'
  | 'reference'
  | 'array'
  | 'opaque'
  | 'bitfield'
  | 'time'
  | 'unknown';

export interface Dtype {
  class: DtypeClass;
  /** Bytes per element. */
  size: number;
  endianness?: 'little' | 'big';
  signed?: boolean;
  /** numpy-style code such as `<f4`, `>i2`, `|S8`; absent when numpy has none. */
  numpy?: string;
  /** Words a person reads: "32-bit float, little-endian". */
  description: string;
  members?: { name: string; dtype: Dtype }[];
  enumMembers?: Record<string, number>;
  base?: Dtype;
  charset?: 'ascii' | 'utf-8';
  variableLength?: boolean;
  /** 'any': HDF5 1.12's reference type, whose values may each point to an object, a region or an attribute. */
  referenceKind?: 'object' | 'region' | 'any';
  arrayDims?: number[];
  /**
   * Present only where the stored numbers are not plain full-width integers or
   * IEEE floats: the significant bits and where they start (a custom precision,
   * as N-bit packing uses), a float's field layout in words, or `vax`.
   */
  precision?: number;
  bitOffset?: number;
  floatLayout?: string;
  byteOrder?: 'vax';
}

export interface Filter {
  id: number;
  name: string;
  cdValues: number[];
}

export type Layout = 'contiguous' | 'chunked' | 'compact' | 'virtual' | 'scalar' | 'null';

export type AttributeValue = null | number | string | boolean | AttributeValue[];

export interface Attribute {
  name: string;
  shape: number[] | null;
  dtype: Dtype;
  value: AttributeValue;
}

interface EntityBase {
  /** Absolute path in the file, e.g. `/experiment/run_001`. */
  path: string;
  name: string;
  /**
   * In a whole-tree walk: this object was already shown at that path (another
   * hard link to it, as h5dump's HARDLINK), so it is not described or walked again.
   */
  hardLinkTo?: string;
}

export interface ChildSummary {
  name: string;
  path: string;
  kind: EntityKind;
}

export interface GroupEntity extends EntityBase {
  kind: 'group';
  attributes: Attribute[];
  /** Children listed without descending into them: the tree expands lazily. */
  children: ChildSummary[];
}

export interface DatasetEntity extends EntityBase {
  kind: 'dataset';
  shape: number[] | null;
  maxShape: number[] | null;
  dtype: Dtype;
  layout: Layout;
  chunks: number[] | null;
  filters: Filter[];
  attributes: Attribute[];
  /** Bytes the values take in memory (elements × element size). */
  memoryBytes: number;
  /** Bytes they take in the file, after compression; absent when the file does not say (virtual, external). */
  storageBytes?: number;
  /**
   * Other files the values are read from, as the file names them: external raw
   * storage (the values are bytes of another file) and a virtual dataset's
   * sources. Absent when the values are all in this file.
   */
  externalSources?: ExternalSource[];
}

export interface ExternalSource {
  kind: 'external-storage' | 'virtual-source';
  /** The file name as stored (relative names are resolved by HDF5's search rules). */
  file: string;
  /** The source dataset, for a virtual source. */
  dataset?: string;
  /** A virtual source whose file is not where HDF5 looks for it (its values would read as fill values). */
  missing?: boolean;
  /** In `h5blocks serve`: a virtual source outside the served folders, whose values are refused, never read. */
  outside?: boolean;
}

export interface DatatypeEntity extends EntityBase {
  kind: 'datatype';
  dtype: Dtype;
  attributes: Attribute[];
}

export interface SoftLinkEntity extends EntityBase {
  kind: 'soft-link';
  target: string;
}

export interface BrokenLinkEntity extends EntityBase {
  kind: 'broken-link';
  target: string;
}

export interface ExternalLinkEntity extends EntityBase {
  kind: 'external-link';
  file: string;
  target: string;
  /** Whether the target file exists next to the file holding the link. */
  resolvable: boolean;
}

/** A link of a class registered by another program (HDF5's user-defined links, class 65 and up): h5blocks cannot follow it. */
export interface UserDefinedLinkEntity extends EntityBase {
  kind: 'user-defined-link';
  /** The link class (h5dump's LINKCLASS). */
  linkClass: number;
}

export type Entity =
  | UserDefinedLinkEntity
  | GroupEntity
  | DatasetEntity
  | DatatypeEntity
  | SoftLinkEntity
  | BrokenLinkEntity
  | ExternalLinkEntity;

export type EntityKind = Entity['kind'];

/** A window of a dataset's values, row-major, for tables and plots. */
export interface ValueSlice {
  path: string;
  /** Per dimension: [start, stop). */
  ranges: [number, number][];
  shape: number[];
  /** 'numbers' for integer, float and enum data; 'text' for data a table shows as text (see H5BlocksApi.getValue). */
  kind: 'numbers' | 'text';
  /** Numbers, or strings for string/compound/other data a table shows as text. */
  values: (number | string | null)[];
  /** Complex data (a compound of two floats named r, i or real, imag): `values` holds real, imaginary pairs, two numbers per element. */
  complex?: boolean;
  /** A compound read by field (getValue's `fields` option): the flattened field names; `values` holds one string per field of each element. */
  fields?: string[];
}
