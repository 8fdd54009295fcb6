import type { AttributeValue, DatasetEntity, Dtype, Filter, Layout } from '@shared/entities';
import { formatBytes, formatInteger, formatNumber, formatShape } from './units';

const LAYOUT_WORDS: Record<Layout, string> = {
  contiguous: 'Contiguous (one block on disk)',
  chunked: 'Chunked',
  compact: 'Compact (stored in the object header)',
  virtual: 'Virtual (mapped from other datasets)',
  scalar: 'Scalar',
  null: 'Null (no data)',
};

export function describeLayout(layout: Layout): string {
  return LAYOUT_WORDS[layout];
}

export function describeDtype(dtype: Dtype): string {
  return dtype.numpy ? `${dtype.description} (${dtype.numpy})` : dtype.description;
}

// HDF5 reports unlimited dimensions as the largest unsigned 64-bit value, which a JS number cannot hold exactly.
const UNLIMITED = 2 ** 53;

export function describeMaxShape(maxShape: number[] | null): string {
  return formatShape(maxShape ? maxShape.map((n) => (n >= UNLIMITED || n < 0 ? null : n)) : null);
}

const FILTER_WORDS: Record<number, string> = {
  1: 'gzip (deflate)',
  2: 'shuffle',
  3: 'Fletcher-32 checksum',
  4: 'SZIP',
  5: 'N-bit',
  6: 'scale-offset',
  307: 'bzip2',
  32000: 'LZF',
  32001: 'Blosc',
  32004: 'LZ4',
  32008: 'bitshuffle',
  32013: 'ZFP',
  32015: 'Zstandard',
  32019: 'JPEG',
};

export function describeFilter(filter: Filter): string {
  const name = FILTER_WORDS[filter.id] ?? filter.name ?? `filter ${filter.id}`;
  if (filter.id === 1 && filter.cdValues.length > 0) return `${name}, level ${filter.cdValues[0]}`;
  // Every other filter's parameters as stored (h5dump's PARAMS): N-bit's precision and offset, scale-offset's factor…
  return filter.cdValues.length > 0 ? `${name} (parameters ${filter.cdValues.join(' ')})` : name;
}

/** Compression and checksums slow reads down: filters that decompress make a dataset decompression-bound. */
export function hasDecompression(dataset: Pick<DatasetEntity, 'filters'>): boolean {
  return dataset.filters.some((filter) => filter.id !== 3);
}

export function chunkBytes(dataset: DatasetEntity): number | null {
  return dataset.chunks ? dataset.chunks.reduce((a, b) => a * b, 1) * dataset.dtype.size : null;
}

export function elementCount(shape: number[] | null): number {
  if (shape === null) return 0;
  return shape.reduce((a, b) => a * b, 1);
}

const ATTRIBUTE_PREVIEW = 24;

/** An attribute value on one line; long arrays end with how many values were left out. */
export function formatAttributeValue(value: AttributeValue): string {
  if (value === null) return '(no value)';
  if (typeof value === 'number') return formatNumber(value, 10);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  const flat = (value as AttributeValue[]).flat(Infinity as 1) as AttributeValue[];
  const shown = flat.slice(0, ATTRIBUTE_PREVIEW).map((item) => (Array.isArray(item) ? '[…]' : formatAttributeValue(item)));
  const more = flat.length > ATTRIBUTE_PREVIEW ? `, … ${formatInteger(flat.length - ATTRIBUTE_PREVIEW)} more` : '';
  return `[${shown.join(', ')}${more}]`;
}

export function describeSize(dataset: DatasetEntity): string {
  const memory = `${formatBytes(dataset.memoryBytes)} in memory (${formatInteger(elementCount(dataset.shape))} elements × ${dataset.dtype.size} B)`;
  if (dataset.storageBytes === undefined) return memory;
  const ratio = dataset.storageBytes > 0 && dataset.storageBytes < 0.99 * dataset.memoryBytes
    ? `, ${(dataset.memoryBytes / dataset.storageBytes).toFixed(2)}× smaller`
    : '';
  return `${memory}; ${formatBytes(dataset.storageBytes)} on disk${ratio}`;
}
