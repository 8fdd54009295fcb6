import type { DatasetEntity, Entity } from '@shared/entities';
import { kindLabel } from '../ui/EntityIcon';
import { ROW_KERNELS } from '../../../workers/kernels/registry';
import type { NumericKind, RowKernel } from '../../../workers/kernels/kernel';

/**
 * Why an object cannot feed any computation, or null when it can. The same
 * rules as the engine's check (src/main/run/inputDataset.ts), said before the
 * user presses Run: a numeric (integer or float) dataset of rank ≥ 1 whose
 * rows (every axis but the first) are not empty.
 */
export function runRefusal(entity: Entity): string | null {
  if (entity.kind !== 'dataset') return `${entity.path} is a ${kindLabel(entity.kind).toLowerCase()}, not a dataset; choose a numeric dataset.`;
  const { dtype, shape } = entity;
  if (dtype.class !== 'integer' && dtype.class !== 'float') {
    return `Its elements are ${dtype.description}; computations need integers or floats.`;
  }
  if (shape === null) return 'It has no dataspace (a null dataset), so there are no rows to compute.';
  if (shape.length === 0) return 'It is a scalar; computations need a dataset of rank 1 or more, taken in blocks along its first axis.';
  if (shape.slice(1).some((extent) => extent === 0)) return 'Its rows are empty (an axis after the first has length 0); every value computed over a row would be empty.';
  return null;
}

export function isRunnable(entity: Entity | undefined): entity is DatasetEntity {
  return entity !== undefined && runRefusal(entity) === null;
}

/** The element kind the kernels speak of (f4, u2, …), from the entity's dtype. */
export function numericKindOf(dataset: DatasetEntity): NumericKind | undefined {
  const { class: kind, size, signed } = dataset.dtype;
  if (kind === 'float' && [2, 4, 8].includes(size)) return `f${size}` as NumericKind;
  if (kind === 'integer' && [1, 2, 4, 8].includes(size)) return `${signed === false ? 'u' : 'i'}${size}` as NumericKind;
  return undefined;
}

/** Every kernel with why it does not apply to this dataset (null when it does), as the engine would say. */
export function kernelChoices(dataset: DatasetEntity): { kernel: RowKernel; refusal: string | null }[] {
  const kind = numericKindOf(dataset);
  return ROW_KERNELS.map((kernel) => ({
    kernel,
    refusal: kind && dataset.shape ? kernel.refuses({ kind, shape: dataset.shape }) ?? null : 'its elements are not numbers',
  }));
}
