import type { DatasetEntity, Entity } from '../../../shared/entities';
import { kindLabel } from '../ui/EntityIcon';
import { formatShape } from '../format/units';

/**
 * Why an object cannot feed the row-norm run, or null when it can. The same
 * rules as the engine's check (src/main/run/inputDataset.ts), said before the
 * user presses Run: a numeric (integer or float) 2-D N×D dataset with D ≥ 1.
 */
export function runRefusal(entity: Entity): string | null {
  if (entity.kind !== 'dataset') return `${entity.path} is a ${kindLabel(entity.kind).toLowerCase()}, not a dataset; choose a 2-D numeric dataset.`;
  const { dtype, shape } = entity;
  if (dtype.class !== 'integer' && dtype.class !== 'float') {
    return `Its elements are ${dtype.description}; the row norm needs integers or floats.`;
  }
  if (shape === null) return 'It has no dataspace (a null dataset), so there are no rows to compute.';
  if (shape.length !== 2) {
    const what = shape.length === 0 ? 'a scalar' : `${shape.length}-D (shape ${formatShape(shape)})`;
    return `It is ${what}; the row norm needs a 2-D N×D dataset, one point per row.`;
  }
  if (shape[1] === 0) return 'It has 0 columns; every row norm would be empty.';
  return null;
}

export function isRunnable(entity: Entity | undefined): entity is DatasetEntity {
  return entity !== undefined && runRefusal(entity) === null;
}
