// h5web's DataProviderApi over H5BlocksApi: h5web's viewer reads one open file
// through the same calls (and the same checks in the main process) as the rest
// of the app, on either transport.

import {
  AbortError, DataProviderApi, DTypeClass, EntityKind,
  type AttributeValues, type BuiltInExporter, type ChildEntity, type Dataset, type DType, type Entity as H5WebEntity,
  type ExportFormat, type ExportURL, type ProvidedEntity, type ValuesStoreParams,
} from '@h5web/app';
import type { H5BlocksApi, OpenFile } from '@shared/api';
import type { Attribute, Entity } from '@shared/entities';
import { toAttributeValues, toChildEntity, toProvidedEntity } from './entities';
import { countOf, selectionRanges, windows, type Ranges } from './selection';

/** What one getValue call may return (the main process refuses more: MAX_VALUE_ELEMENTS in src/main/app/values.ts). */
export const VALUES_PER_REQUEST = 1_000_000;
/**
 * The most values h5web may ask for in one selection: 5 M rows × 2 columns as
 * float32 is 40 MB in the page. Beyond it the viewer says to slice instead of
 * holding the tab for many seconds.
 */
export const MAX_SELECTION_VALUES = 12_000_000;

/** Children of one group described in full for h5web (NeXus reads their shapes); a group of thousands lists the rest by name. */
const MAX_DETAILED_CHILDREN = 256;

export class H5BlocksProvider extends DataProviderApi {
  /** Attributes (with their values) of every entity fetched so far, for getAttrValues. */
  private readonly attributes = new Map<string, Attribute[]>();

  constructor(private readonly api: H5BlocksApi, readonly file: OpenFile, private readonly searchPaths?: () => Promise<string[]>) {
    super(file.name);
  }

  override async getEntity(path: string): Promise<ProvidedEntity> {
    const entity = await this.api.getEntity(this.file.id, path);
    if (entity.kind === 'soft-link') {
      const target = await this.api.getEntity(this.file.id, entity.target);
      return this.provided(target, { path, target: entity.target });
    }
    return this.provided(entity);
  }

  private async provided(entity: Entity, linkedFrom?: { path: string; target: string }): Promise<ProvidedEntity> {
    const at = linkedFrom?.path ?? entity.path;
    if ('attributes' in entity) this.attributes.set(at, entity.attributes);
    if (entity.kind !== 'group') return toProvidedEntity(entity, [], linkedFrom);
    let detailed = 0;
    const children = await Promise.all(entity.children.map((child) => {
      // Child groups need no request (h5web reads a group when it is opened); datasets are read whole, up to a bound.
      if (child.kind === 'group') return { name: child.name, path: child.path, kind: EntityKind.Group, attributes: [] } as ChildEntity;
      if (child.kind === 'broken-link' || child.kind === 'external-link' || ++detailed > MAX_DETAILED_CHILDREN) {
        return { name: child.name, path: child.path, kind: EntityKind.Unresolved, attributes: [] } as ChildEntity;
      }
      return this.child(child.path);
    }));
    return toProvidedEntity(entity, children, linkedFrom);
  }

  private async child(path: string): Promise<ChildEntity> {
    const entity = await this.api.getEntity(this.file.id, path);
    if (entity.kind === 'soft-link') {
      try {
        const target = await this.api.getEntity(this.file.id, entity.target);
        if (target.kind !== 'group') return toChildEntity(await this.provided(target, { path, target: entity.target }));
      } catch {
        // A link whose target cannot be read is listed as unresolved.
      }
      return toChildEntity(toProvidedEntity(entity));
    }
    if ('attributes' in entity) this.attributes.set(path, entity.attributes);
    return toChildEntity(toProvidedEntity(entity));
  }

  override async getValue(params: ValuesStoreParams, abortSignal?: AbortSignal, onProgress?: (value: number) => void): Promise<unknown> {
    const { dataset, selection } = params;
    const dims = dataset.shape.dims;
    const ranges = selectionRanges(dims, selection);
    const total = countOf(ranges);
    if (total > MAX_SELECTION_VALUES) {
      throw new Error(`${this.file.name}: ${dataset.path}: ${total.toLocaleString('en-US')} values are too many to show at once (at most ${MAX_SELECTION_VALUES.toLocaleString('en-US')}); choose a slice with fewer values`);
    }
    const isComplex = dataset.type.class === DTypeClass.Complex;
    const target = isComplex ? [] as [number, number][] : allocate(dataset.type, total);
    let filled = 0;
    const parts = windows(ranges, isComplex ? VALUES_PER_REQUEST / 2 : VALUES_PER_REQUEST);
    for (const part of parts) {
      if (abortSignal?.aborted) throw new AbortError(String(abortSignal.reason ?? 'aborted'));
      const slice = await this.api.getValue(this.file.id, dataset.path, part);
      if (isComplex) {
        const values = slice.values.map(Number);
        for (let i = 0; i + 1 < values.length; i += 2) (target as [number, number][]).push([values[i], values[i + 1]]);
      } else {
        store(target as Storage, filled, slice.values);
      }
      filled += countOf(part);
      if (parts.length > 1) onProgress?.(filled / total);
    }
    return dims.length === 0 || ranges.length === 0 ? (target as Storage)[0] : target;
  }

  override async getAttrValues(entity: H5WebEntity): Promise<AttributeValues> {
    let attributes = this.attributes.get(entity.path);
    if (!attributes) {
      const fetched = await this.api.getEntity(this.file.id, entity.path);
      attributes = 'attributes' in fetched ? fetched.attributes : [];
      this.attributes.set(entity.path, attributes);
    }
    return toAttributeValues(attributes);
  }

  /** h5web's own CSV and JSON exports of what is on screen; npy and TIFF are not offered. */
  override getExportURL(_format: ExportFormat, _dataset: Dataset, _selection?: string, builtInExporter?: BuiltInExporter): ExportURL | undefined {
    if (!builtInExporter) return undefined;
    return async () => new Blob([builtInExporter()]);
  }

  override async getSearchablePaths(_path: string): Promise<string[]> {
    return this.searchPaths ? this.searchPaths() : [];
  }
}

type Storage = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | (string | number)[];

/** The smallest array that holds the type's values exactly; 64-bit integers go to float64, as h5web plots them. */
function allocate(type: DType, count: number): Storage {
  const numeric = type.class === DTypeClass.Bool || type.class === DTypeClass.Enum ? type.base : type;
  if (numeric.class === DTypeClass.Float) return numeric.size <= 32 ? new Float32Array(count) : new Float64Array(count);
  if (numeric.class === DTypeClass.Integer) {
    switch (numeric.size) {
      case 8: return numeric.signed ? new Int8Array(count) : new Uint8Array(count);
      case 16: return numeric.signed ? new Int16Array(count) : new Uint16Array(count);
      case 32: return numeric.signed ? new Int32Array(count) : new Uint32Array(count);
      default: return new Float64Array(count);
    }
  }
  return new Array<string | number>(count);
}

function store(target: Storage, offset: number, values: (number | string | null)[]): void {
  if (Array.isArray(target)) {
    for (let i = 0; i < values.length; i++) target[offset + i] = values[i] ?? '';
    return;
  }
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    target[offset + i] = typeof value === 'number' ? value : Number(value);
  }
}

export function isDatasetEntity(entity: ProvidedEntity): entity is Dataset {
  return entity.kind === EntityKind.Dataset;
}
