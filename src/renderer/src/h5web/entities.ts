// h5blocks entities (src/shared/entities.ts) as h5web's provider API describes
// them, so h5web's visualizations see the same file the tree does. Pure
// functions: the provider fetches, this module only translates.

import {
  DTypeClass, EntityKind, ShapeClass,
  type Attribute as H5WebAttribute, type ChildEntity, type DType, type Dataset, type Datatype,
  type Entity as H5WebEntity, type NumericType, type ProvidedEntity, type Shape, type UnresolvedEntity,
} from '@h5web/app';
import type { Attribute, AttributeValue, Dtype, Entity } from '@shared/entities';

type Endianness = 'little-endian' | 'big-endian' | undefined;

function endiannessOf(dtype: Dtype): Endianness {
  if (dtype.size <= 1 || dtype.endianness === undefined) return undefined;
  return dtype.endianness === 'little' ? 'little-endian' : 'big-endian';
}

export function toShape(shape: number[] | null): Shape {
  if (shape === null) return { class: ShapeClass.Null };
  if (shape.length === 0) return { class: ShapeClass.Scalar, dims: [] };
  return { class: ShapeClass.Array, dims: shape };
}

/** The integer type an enum stores, which h5blocks describes only by size. */
function enumBase(dtype: Dtype): NumericType {
  const values = Object.values(dtype.enumMembers ?? {});
  return { class: DTypeClass.Integer, signed: values.some((v) => v < 0), size: dtype.size * 8, endianness: endiannessOf(dtype) };
}

/** h5py stores booleans as an enum {FALSE: 0, TRUE: 1}. */
function isBoolEnum(dtype: Dtype): boolean {
  const members = dtype.enumMembers ?? {};
  const names = Object.keys(members);
  return names.length === 2 && members.FALSE === 0 && members.TRUE === 1;
}

/** The member names h5py (r, i) and others (real, imag) give a complex number's compound. */
const COMPLEX_MEMBERS = [['r', 'i'], ['real', 'imag']];

export function complexParts(dtype: Dtype): [Dtype, Dtype] | undefined {
  const members = dtype.members;
  if (dtype.class !== 'compound' || members?.length !== 2) return undefined;
  if (!members.every((m) => m.dtype.class === 'float')) return undefined;
  const names = members.map((m) => m.name);
  return COMPLEX_MEMBERS.some(([re, im]) => names[0] === re && names[1] === im) ? [members[0].dtype, members[1].dtype] : undefined;
}

export function toDType(dtype: Dtype): DType {
  const bits = dtype.size * 8;
  switch (dtype.class) {
    case 'integer':
      return { class: DTypeClass.Integer, signed: dtype.signed ?? true, size: bits, endianness: endiannessOf(dtype) };
    case 'float':
      return { class: DTypeClass.Float, size: bits, endianness: endiannessOf(dtype) };
    case 'string':
      return {
        class: DTypeClass.String,
        charSet: dtype.charset === 'utf-8' ? 'UTF-8' : 'ASCII',
        strPad: undefined,
        ...(dtype.variableLength ? {} : { length: dtype.size }),
      };
    case 'enum':
      if (isBoolEnum(dtype)) return { class: DTypeClass.Bool, base: enumBase(dtype) };
      return {
        class: DTypeClass.Enum,
        base: enumBase(dtype),
        mapping: Object.fromEntries(Object.entries(dtype.enumMembers ?? {}).map(([name, value]) => [value, name])),
      };
    case 'compound': {
      const parts = complexParts(dtype);
      if (parts) return { class: DTypeClass.Complex, realType: toDType(parts[0]) as NumericType, imagType: toDType(parts[1]) as NumericType };
      return { class: DTypeClass.Compound, fields: new Map((dtype.members ?? []).map((m) => [m.name, toDType(m.dtype)])) };
    }
    case 'array':
      return { class: DTypeClass.Array, base: dtype.base ? toDType(dtype.base) : { class: DTypeClass.Unknown }, dims: dtype.arrayDims ?? [] };
    case 'vlen':
      return { class: DTypeClass.VLen, base: dtype.base ? toDType(dtype.base) : { class: DTypeClass.Unknown } };
    case 'reference':
      return { class: DTypeClass.Reference };
    case 'opaque':
      return { class: DTypeClass.Opaque, tag: '' };
    case 'bitfield':
      return { class: DTypeClass.Bitfield, endianness: endiannessOf(dtype) };
    case 'time':
      return { class: DTypeClass.Time };
    default:
      return { class: DTypeClass.Unknown };
  }
}

export function toAttributes(attributes: Attribute[]): H5WebAttribute[] {
  return attributes.map((a) => ({ name: a.name, shape: toShape(a.shape), type: toDType(a.dtype) }));
}

/** Attribute values as h5web reads them: scalars as they are, arrays flat (h5web reshapes them by the attribute's shape). */
export function toAttributeValues(attributes: Attribute[]): Record<string, unknown> {
  return Object.fromEntries(attributes.map((a) => [a.name, attributeValue(a.value, a.shape)]));
}

function attributeValue(value: AttributeValue, shape: number[] | null): unknown {
  if (!Array.isArray(value) || shape === null || shape.length === 0) return value;
  const flat: unknown[] = [];
  const visit = (item: AttributeValue) => (Array.isArray(item) ? item.forEach(visit) : flat.push(item));
  visit(value);
  return flat;
}

/**
 * One entity in h5web's terms. Groups need their children whole (h5web's NeXus
 * support reads a child's shape and attributes), so the caller passes them in;
 * `path` is where the user asked, which differs from `entity.path` when a soft
 * link led there.
 */
export function toProvidedEntity(entity: Entity, children: ChildEntity[] = [], linkedFrom?: { path: string; target: string }): ProvidedEntity {
  const base = {
    name: linkedFrom ? lastName(linkedFrom.path) : entity.name,
    path: linkedFrom?.path ?? entity.path,
    ...(linkedFrom ? { link: { class: 'Soft' as const, path: linkedFrom.target } } : {}),
  };
  switch (entity.kind) {
    case 'group':
      return { ...base, kind: EntityKind.Group, attributes: toAttributes(entity.attributes), children };
    case 'dataset': {
      const dataset: Dataset = {
        ...base,
        kind: EntityKind.Dataset,
        attributes: toAttributes(entity.attributes),
        shape: toShape(entity.shape),
        type: toDType(entity.dtype),
        rawType: entity.dtype.description,
        ...(entity.chunks ? { chunks: entity.chunks } : {}),
        filters: entity.filters.map((f) => ({ id: f.id, name: f.name })),
      };
      return dataset;
    }
    case 'datatype': {
      const datatype: Datatype = { ...base, kind: EntityKind.Datatype, attributes: toAttributes(entity.attributes), type: toDType(entity.dtype), rawType: entity.dtype.description };
      return datatype;
    }
    case 'soft-link':
    case 'broken-link':
      return unresolved(entity.name, entity.path, { class: 'Soft', path: entity.target });
    case 'external-link':
      return unresolved(entity.name, entity.path, { class: 'External', file: entity.file, path: entity.target });
    case 'user-defined-link':
      return unresolved(entity.name, entity.path, { class: 'Soft', path: `(user-defined link, class ${entity.linkClass})` });
  }
}

function unresolved(name: string, path: string, link: NonNullable<H5WebEntity['link']>): UnresolvedEntity {
  return { name, path, kind: EntityKind.Unresolved, attributes: [], link };
}

/** A group's child as h5web lists it: a full entity, without grandchildren. */
export function toChildEntity(entity: ProvidedEntity): ChildEntity {
  if (entity.kind !== EntityKind.Group) return entity;
  const { children: _children, ...group } = entity as ProvidedEntity & { children?: unknown };
  return group as ChildEntity;
}

function lastName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
}
