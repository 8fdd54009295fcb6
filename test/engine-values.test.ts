// Every numeric 2-D dataset of the corpus, through every strategy, against numpy.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/shared/run';
import { runComputation } from '../src/main/run/engine';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders, runLeftoversBeside, sha256Bytes } from './support/files';
import { mismatches, typedView } from './support/floats';
import { corpusFile } from './support/paths';
import { expectedNorms, readOutputs, readOutputsAndSnapshot, snapshot, type ExpectedNorms, type OutputAsRead } from './support/reference';
import { packageVersion, smallBlockVariants, standardVariants, type Variant } from './support/runs';

const DTYPES_DATASETS = [
  'le_f2', 'le_f4', 'be_f4', 'le_f8', 'be_f8', 'le_i1', 'le_u1', 'le_i2', 'be_i2', 'le_i4', 'le_u4', 'le_i8', 'le_u8',
  'three_columns', 'one_column', 'many_columns', 'one_row', 'special_values', 'empty_rows',
];
const LAYOUTS_DATASETS = ['contiguous', 'chunked', 'chunked_odd', 'gzip', 'shuffle_gzip', 'fletcher32', 'compact', 'extendible'];
/** Outputs go here, one per dataset and variant, so one copy of each corpus file serves every run. */
const OUTPUT_GROUP = '/h5blocks_test';
const VERSION = packageVersion();

afterAll(async () => {
  await closeWorkerPools();
  removeTempFolders();
});

interface DatasetRuns {
  variants: Variant[];
  results: RunResult[];
  /** A run that threw: reported by that dataset's test, not by the whole file's setup. */
  failure?: unknown;
}

interface CorpusRuns {
  file: string;
  expected: Map<string, ExpectedNorms>;
  pristine: Record<string, string>;
  runs: Map<string, DatasetRuns>;
  outputs: Map<string, OutputAsRead>;
  after: Record<string, string>;
}

/**
 * Runs every variant on every dataset of one copy of a corpus file, one run
 * after another, then reads all outputs back with h5py in one go: starting
 * python per dataset would cost more than the runs.
 */
async function runCorpus(corpus: string, datasets: string[], variantsOf: (rows: number) => Variant[], pass: string): Promise<CorpusRuns> {
  const folder = makeTempFolder('values');
  const file = copyCorpus(corpus, folder);
  const expected = await expectedNorms(corpusFile(corpus), join(folder, 'expected'), datasets.map((d) => `/${d}`));
  const pristine = await snapshot(corpusFile(corpus));
  const runs = new Map<string, DatasetRuns>();
  for (const name of datasets) {
    const entry: DatasetRuns = { variants: variantsOf(expected.get(`/${name}`)!.rows), results: [] };
    runs.set(name, entry);
    try {
      for (const variant of entry.variants) {
        entry.results.push(await runComputation({
          file, dataset: `/${name}`, strategy: variant.strategy, workers: variant.workers, blockRows: variant.blockRows,
          output: `${OUTPUT_GROUP}/${pass}/${name}/${variant.label}`,
        }));
      }
    } catch (error) {
      entry.failure = error;
    }
  }
  const outputPaths = [...runs.values()].flatMap((r) => r.results.map((result) => result.output));
  const { outputs, snapshot: after } = await readOutputsAndSnapshot(file, join(folder, 'read'), outputPaths, OUTPUT_GROUP);
  return { file, expected, pristine, runs, outputs, after };
}

/** What a user would check of one dataset's runs: numpy's values, the same bits everywhere, provenance. */
function checkDataset(corpus: CorpusRuns, name: string): void {
  const reference = corpus.expected.get(`/${name}`)!;
  const { variants, results, failure } = corpus.runs.get(name)!;
  if (failure !== undefined) throw failure;
  const first = corpus.outputs.get(results[0].output)!;

  for (const [i, result] of results.entries()) {
    const variant = variants[i];
    const output = corpus.outputs.get(result.output)!;
    const context = `${name} ${variant.label}`;
    expect(output.exists, context).toBe(true);
    expect(result.rows, context).toBe(reference.rows);
    expect(result.outputDtype, context).toBe(reference.outputDtype);
    expect(output.dtype, context).toBe(reference.outputDtype === 'float32' ? '<f4' : '<f8');
    expect(output.shape, context).toEqual([reference.rows]);

    const values = typedView(output.bytes, reference.outputDtype);
    expect(mismatches(values, reference.norms, reference.outputDtype), context).toEqual([]);

    // Bit-identical: the engine's digest, the bytes h5py reads back, and every other variant agree.
    expect(sha256Bytes(output.bytes), context).toBe(result.outputSha256);
    expect(result.outputSha256, context).toBe(results[0].outputSha256);
    expect(Buffer.from(output.bytes).equals(Buffer.from(first.bytes)), context).toBe(true);

    expect(output.attributes, context).toMatchObject({
      h5blocks_source: `/${name}`,
      h5blocks_strategy: variant.strategy,
      h5blocks_workers: variant.strategy === 'inline' ? 1 : variant.workers,
      h5blocks_block_rows: result.blockRows,
      h5blocks_version: VERSION,
      h5blocks_sha256: result.outputSha256,
      h5blocks_complete: 1,
    });
    // A block larger than the dataset runs as one block of the dataset's rows.
    if (variant.blockRows !== undefined) expect(result.blockRows, context).toBe(Math.min(variant.blockRows, Math.max(1, result.rows)));
  }
}

describe.each([
  { corpus: 'dtypes.h5', datasets: DTYPES_DATASETS },
  { corpus: 'layouts.h5', datasets: LAYOUTS_DATASETS },
])('row norms of every numeric 2-D dataset of $corpus', ({ corpus, datasets }) => {
  let runs: CorpusRuns;
  beforeAll(async () => {
    runs = await runCorpus(corpus, datasets, standardVariants, 'standard');
  });

  it.each(datasets)('%s: inline, pool and shard (3 workers; default and 1000-row blocks) give numpy\'s norms, bit-identical', (name) => {
    checkDataset(runs, name);
  });

  it('after all these runs the input datasets and every other object are exactly as they were, and nothing is left beside the file', () => {
    expect(runs.after).toEqual(runs.pristine);
    expect(runLeftoversBeside(runs.file)).toEqual([]);
  });
});

// One worker and tiny blocks on representatives of each kind of input, after the
// 3-worker runs so worker pools of one size serve each pass.
describe.each([
  { corpus: 'dtypes.h5', datasets: ['le_f2', 'be_i2', 'le_u8', 'be_f8', 'special_values', 'one_row', 'many_columns', 'three_columns'] },
  { corpus: 'layouts.h5', datasets: ['chunked_odd', 'shuffle_gzip'] },
])('1 worker and 1-, 7-, 777- and 1000-row blocks on $corpus', ({ corpus, datasets }) => {
  let runs: CorpusRuns;
  beforeAll(async () => {
    runs = await runCorpus(corpus, datasets, smallBlockVariants, 'small-blocks');
  });

  it.each(datasets)('%s: the same bits as inline with default blocks, and numpy\'s norms', (name) => {
    checkDataset(runs, name);
  });

  it('the inputs are unchanged', () => {
    expect(runs.after).toEqual(runs.pristine);
  });
});

describe('a dataset with 0 rows', () => {
  it('empty_rows (0 × 2) runs to an empty, complete float32 output in every strategy, not a refusal', async () => {
    const folder = makeTempFolder('empty');
    const file = copyCorpus('dtypes.h5', folder);
    for (const strategy of ['inline', 'pool', 'shard'] as const) {
      const result = await runComputation({ file, dataset: '/empty_rows', strategy, workers: 2, output: `/empty_${strategy}` });
      expect(result.rows).toBe(0);
      expect(result.blocks).toEqual([]);
    }
    const outputs = await readOutputs(file, join(folder, 'read'), ['/empty_inline', '/empty_pool', '/empty_shard']);
    for (const output of outputs.values()) {
      expect(output.exists).toBe(true);
      expect(output.shape).toEqual([0]);
      expect(output.dtype).toBe('<f4');
      expect(output.attributes.h5blocks_complete).toBe(1);
    }
  });
});
