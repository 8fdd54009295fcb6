import { STRATEGIES, type Strategy } from '@shared/run';

export interface MatrixConfig {
  strategy: Strategy;
  workers: number;
  /** undefined: the engine's default for this dataset. */
  blockRows: number | undefined;
  /** What the run will use when blockRows is left to it, as the engine plans it (planRuns); names the configuration. */
  plannedRows?: number;
}

/**
 * Every strategy × worker count × block size, in that order. Inline ignores
 * workers, so it runs once per block size.
 */
export function matrixConfigs(strategies: Strategy[], workerCounts: number[], blockSizes: (number | undefined)[]): MatrixConfig[] {
  const configs: MatrixConfig[] = [];
  for (const strategy of STRATEGIES.filter((s) => strategies.includes(s))) {
    for (const blockRows of blockSizes) {
      for (const workers of strategy === 'inline' ? [1] : workerCounts) configs.push({ strategy, workers, blockRows });
    }
  }
  return configs;
}

/** "1, 2, 4" → [1, 2, 4], each from 1 to `limit`; an error message names the first bad entry. */
export function parseWorkerCounts(text: string, limit: number): number[] | string {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return 'List at least one worker count, e.g. "1, 2".';
  const counts: number[] = [];
  for (const part of parts) {
    const n = Number(part);
    if (!Number.isInteger(n) || n < 1 || n > limit) return `"${part}" is not a worker count from 1 to ${limit}.`;
    if (!counts.includes(n)) counts.push(n);
  }
  return counts.sort((a, b) => a - b);
}

/** "default, 200, 1000" → [undefined, 200, 1000]. */
export function parseBlockSizes(text: string): (number | undefined)[] | string {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length === 0) return 'List at least one block size, or "default".';
  const sizes: (number | undefined)[] = [];
  for (const part of parts) {
    if (/^default$/i.test(part)) {
      if (!sizes.includes(undefined)) sizes.push(undefined);
      continue;
    }
    const n = Number(part.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 1) return `"${part}" is not a block size in rows (or "default").`;
    if (!sizes.includes(n)) sizes.push(n);
  }
  return sizes;
}

/** Powers of two up to the core count, plus the core count itself: 1, 2, 4, 6 on six cores. */
export function defaultWorkerCounts(cores: number): number[] {
  const counts: number[] = [];
  for (let n = 1; n < cores; n *= 2) counts.push(n);
  counts.push(cores);
  return counts;
}

/** Runs per configuration: one for a quick look (no spread to show), 3 or more for a median that is not one noisy run; at most MAX_REPEATS. */
export const MIN_REPEATS = 1;
export const MAX_REPEATS = 20;
export const DEFAULT_REPEATS = 3;

export function parseRepeats(text: string): number | string {
  const n = Number(text.trim());
  if (!Number.isInteger(n) || n < MIN_REPEATS || n > MAX_REPEATS) {
    return `Repeats must be a whole number from ${MIN_REPEATS} to ${MAX_REPEATS}: each configuration runs that many times and is ranked by its median (3 or more show its spread).`;
  }
  return n;
}
