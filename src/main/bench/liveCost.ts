import { performance } from 'node:perf_hooks';
import type { Strategy } from '@shared/run';
import { writeSample } from '../cli/sample';
import { runComputation } from '../run/engine';
import { warmUp } from './h5blocksRuns';
import type { InputBuilder } from './inputs';

/** Rows of the live case's input (at most --rows): enough blocks for the flushes to count. */
export const LIVE_MAX_ROWS = 5_000_000;
const STRATEGY: Strategy = 'pool';
const WORKERS = 2;

export interface LiveCostCase {
  rows: number;
  strategy: Strategy;
  workers: number;
  blocks: number;
  trials: number;
  /** The fastest of the trials of each. */
  normalSeconds: number;
  liveSeconds: number;
  /** live ÷ normal wall time. */
  ratio: number;
  /** The live run's flushes (one per block), in total. */
  flushMs: number;
  outputsAgree: boolean;
}

/**
 * What `run --live` costs against a normal run: the same run (pool, 2
 * workers, default blocks) on fresh copies of one chunked input, normal and
 * live (upgrading the h5wasm-made file's format, as `--upgrade-format`, which
 * costs one small write). Reported, not judged: there is no target.
 */
export async function measureLiveCost(builder: InputBuilder, rows: number, trials: number): Promise<LiveCostCase> {
  const { scratch, signal, log } = builder;
  const liveRows = Math.min(rows, LIVE_MAX_ROWS);
  const input = scratch.file('live.input.h5');
  await writeSample(input, { rows: liveRows, chunked: true, gzip: false });
  await warmUp({ strategy: STRATEGY, workers: WORKERS }, scratch, signal);
  let normal = Infinity;
  let live = Infinity;
  let flushMs = 0;
  let blocks = 0;
  const digests = new Set<string>();
  try {
    for (let trial = 1; trial <= trials; trial++) {
      for (const mode of ['normal', 'live'] as const) {
        const name = `live.${mode}.h5`;
        const file = scratch.copy(input, name);
        try {
          const start = performance.now();
          const result = await runComputation({
            file, dataset: '/coords', strategy: STRATEGY, workers: WORKERS, output: '/distances',
            ...(mode === 'live' ? { live: true, upgradeFormat: true } : {}),
          }, { signal });
          const seconds = (performance.now() - start) / 1000;
          digests.add(result.outputSha256);
          blocks = result.blocks.length;
          log(`live case, ${liveRows} rows, ${mode}: ${(seconds * 1000).toFixed(1)} ms (trial ${trial} of ${trials})`);
          if (mode === 'normal') normal = Math.min(normal, seconds);
          else if (seconds < live) {
            live = seconds;
            flushMs = result.summary.phaseTotals.find((p) => p.phase === 'flush')?.ms ?? 0;
          }
        } finally {
          scratch.discard(name);
        }
      }
    }
  } finally {
    scratch.discard('live.input.h5');
  }
  return {
    rows: liveRows, strategy: STRATEGY, workers: WORKERS, blocks, trials,
    normalSeconds: normal, liveSeconds: live, ratio: live / normal, flushMs, outputsAgree: digests.size === 1,
  };
}
