// Which view a dataset opens into, from its shape, type and size alone (never
// from what was shown before), and the one size gate every view obeys.
import type { DatasetEntity, Entity } from '@shared/entities';
import { complexParts } from '../h5web/entities';

/**
 * The size gate: the most values any view reads into the page at once. A
 * dataset (or slice) within it is read whole; beyond it the view shows an
 * overview computed in the main process (getOverview) and exact values a zoom
 * or a table page away.
 */
export const VIEW_VALUE_LIMIT = 1_000_000;

export type ViewKind =
  /** Text, compound and other non-numeric data: h5blocks' own table. */
  | 'table'
  /** A 1-D dataset of any length: min/max per pixel, exact when zoomed in. */
  | 'line'
  /** An N × 2 or N × 3 point set: an x–y scatter of a row sample, and the first rows. */
  | 'points'
  /** An image or a stack's slice with a side past the GPU's limit or more values than the gate: block means. */
  | 'image'
  /** Everything else (small images, stacks, RGB, complex, scalars, groups): h5web's viewer at its primary view. */
  | 'h5web';

/** Element types h5web draws: numbers, strings, complex pairs. Others arrive as display text, which the table shows. */
export function h5webShows(entity: Entity): boolean {
  if (entity.kind !== 'dataset') return true;
  const { dtype } = entity;
  return ['integer', 'float', 'enum', 'string'].includes(dtype.class) || complexParts(dtype) !== undefined;
}

const isReal = (dataset: DatasetEntity) => ['integer', 'float', 'enum'].includes(dataset.dtype.class);

/** Values of the 2-D slice a first view shows (all of a 1-D or 2-D dataset). */
export function sliceValues(dataset: DatasetEntity): number {
  return (dataset.shape ?? []).slice(-2).reduce((a, b) => a * b, 1);
}

export function firstView(dataset: DatasetEntity, textureSide = maxTextureSide()): ViewKind {
  const shape = dataset.shape ?? [];
  if (!h5webShows(dataset) || shape.some((n) => n === 0)) return 'table';
  if (!isReal(dataset)) return dataset.dtype.class === 'string' ? 'table' : 'h5web';
  if (shape.length === 1) return 'line';
  if (shape.length === 2 && (shape[1] === 2 || shape[1] === 3) && shape[0] > shape[1]) return 'points';
  if (shape.length >= 2) {
    const [height, width] = shape.slice(-2);
    if (Math.max(height, width) > textureSide || height * width > VIEW_VALUE_LIMIT) return 'image';
  }
  return 'h5web';
}

let webgl: { textureSide: number; available: boolean } | undefined;

function probeWebgl(): { textureSide: number; available: boolean } {
  if (webgl) return webgl;
  // 4096 is what every WebGL implementation supports.
  webgl = { textureSide: 4096, available: false };
  if (typeof document === 'undefined' || typeof ResizeObserver === 'undefined' || /jsdom/.test(navigator.userAgent)) return webgl;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (gl) {
      const reported = gl.getParameter(gl.MAX_TEXTURE_SIZE) as number;
      webgl = { textureSide: reported > 0 ? reported : 4096, available: true };
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    // No WebGL 2: plots cannot be drawn; the views say so.
  }
  return webgl;
}

/** The longest texture side this browser's WebGL accepts (a heatmap is one texture). */
export function maxTextureSide(): number {
  return probeWebgl().textureSide;
}

/** Whether this browser can draw h5web's plots (WebGL 2 and ResizeObserver). */
export function canDrawPlots(): boolean {
  return probeWebgl().available;
}
