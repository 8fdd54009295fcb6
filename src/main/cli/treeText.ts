import type { Attribute, DatasetEntity, Dtype, Entity } from '@shared/entities';

/** What the whole-tree walk (src/main/hdf5/tree.ts) adds: an object it cannot describe, or a dataset it cannot open. */
export type TreeOnlyNode = {
  kind: 'unreadable';
  path: string;
  name: string;
  reason: string;
} | {
  kind: 'dataset';
  path: string;
  name: string;
  unreadable: string;
  shape: number[] | null;
  dtype: Dtype;
  attributes: Attribute[];
};

/** An indented text tree, one object per line, with what h5ls -v would show that matters here. */
export function entityLine(entity: Entity | TreeOnlyNode, depth: number): string[] {
  const pad = '  '.repeat(depth);
  if (entity.kind === 'unreadable') return [`${pad}${entity.name}  (cannot be read: ${entity.reason})`];
  if ('unreadable' in entity) {
    const shape = entity.shape === null ? 'null' : entity.shape.length === 0 ? 'scalar' : entity.shape.join(' × ');
    return [`${pad}${entity.name}  (dataset ${shape}, ${entity.dtype.description}; cannot be read: ${entity.unreadable})`, ...attributeLines(entity.attributes, pad)];
  }
  if ('hardLinkTo' in entity && entity.hardLinkTo !== undefined) {
    return [`${pad}${entity.name} -> ${entity.hardLinkTo}  (hard link to the ${entity.kind} shown at ${entity.hardLinkTo})`];
  }
  switch (entity.kind) {
    case 'group':
      return [`${pad}${entity.name === '/' ? '/' : `${entity.name}/`}`, ...attributeLines(entity.attributes, pad)];
    case 'dataset':
      return [`${pad}${entity.name}  ${datasetSummary(entity)}`, ...attributeLines(entity.attributes, pad)];
    case 'datatype':
      return [`${pad}${entity.name}  named datatype: ${entity.dtype.description}`];
    case 'soft-link':
      return [`${pad}${entity.name} -> ${entity.target}  (soft link)`];
    case 'broken-link':
      return [`${pad}${entity.name} -> ${entity.target}  (broken soft link)`];
    case 'external-link':
      return [`${pad}${entity.name} -> ${entity.file}:${entity.target}  (external link${entity.resolvable ? '' : ', file missing'})`];
    case 'user-defined-link':
      return [`${pad}${entity.name}  (user-defined link, class ${entity.linkClass}: h5blocks cannot follow it)`];
  }
}

export function datasetSummary(d: DatasetEntity): string {
  const shape = d.shape === null ? 'null' : d.shape.length === 0 ? 'scalar' : d.shape.join(' × ');
  const parts = [shape, ...(d.dtype.numpy ? [d.dtype.numpy] : []), d.dtype.description, d.layout];
  if (d.chunks) parts.push(`chunks ${d.chunks.join(' × ')}`);
  if (d.filters.length > 0) parts.push(`filters ${d.filters.map((f) => filterName(f.id, f.name)).join('+')}`);
  // Their parameters as stored (h5dump's PARAMS): N-bit's precision and offset, scale-offset's factor, gzip's level…
  const withParameters = d.filters.filter((f) => f.cdValues.length > 0);
  if (withParameters.length > 0) parts.push(`filter parameters ${withParameters.map((f) => `${filterName(f.id, f.name)} ${f.cdValues.join(' ')}`).join('; ')}`);
  const virtual = (d.externalSources ?? []).filter((s) => s.kind === 'virtual-source');
  if (d.layout === 'virtual') {
    const missing = virtual.filter((s) => s.missing);
    const outside = virtual.filter((s) => s.outside);
    parts.push(`${virtual.length} source file(s)${missing.length > 0 ? `, MISSING: ${missing.map((s) => s.file).join(', ')}` : ''}${outside.length > 0 ? `, OUTSIDE THE SERVED FOLDERS (refused): ${outside.map((s) => s.file).join(', ')}` : ''}`);
  }
  return parts.join(', ');
}

function filterName(id: number, name: string): string {
  const known: Record<number, string> = { 1: 'gzip', 2: 'shuffle', 3: 'fletcher32', 4: 'szip', 5: 'nbit', 6: 'scaleoffset' };
  return known[id] ?? name.split(/[;(]/)[0].trim();
}

function attributeLines(attributes: Attribute[], pad: string): string[] {
  return attributes.map((a) => `${pad}  @${a.name} = ${formatValue(a.value)}`);
}

function formatValue(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}
