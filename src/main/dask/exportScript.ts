import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { H5BlocksError } from '@shared/errors';
import { defaultOutputName, type RunRequest, type RunResult } from '@shared/run';
import { checkReadableFile, closeQuietly, openHdf5 } from '../hdf5/files';
import { loadH5 } from '../hdf5/h5wasm';
import { chooseRun, machineCores } from '../run/defaults';
import { checkRequest, kernelOf } from '../run/engine';
import { DEFAULT_KERNEL } from '../../workers/kernels/registry';
import { usableInput } from '../run/inputDataset';
import { resolveOutputPath } from '../run/output';
import { pythonResource } from './driver';
import { compileExpression, ExpressionRefused, numpyModule } from '../../workers/kernels/expression';

/** What a script needs to perform a run's plan again: the fields of a RunResult it reads. */
export interface ScriptPlan {
  runId: string;
  file: string;
  dataset: string;
  output: string;
  /** The per-row kernel (runs recorded before kernels: norm). */
  compute: string;
  /** The input's element kind (RunResult.inputDtype), which fixes the output type. */
  kind: string;
  rows: number;
  blockRows: number;
  workers: number;
  /** An external scheduler's address; absent for a local cluster. */
  scheduler?: string;
  overwrite?: boolean;
  /** compute `expr`: the expression as typed, and its numpy twin generated from its checked tree for the input's shape. */
  expression?: string;
  expressionNumpy?: string;
}

const KINDS = ['f2', 'f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'] as const;

const runShape = z.object({
  id: z.string(),
  file: z.string().min(1),
  dataset: z.string().min(1),
  output: z.string().min(1),
  compute: z.string().optional(),
  inputDtype: z.enum(KINDS),
  rows: z.int().nonnegative(),
  blockRows: z.int().positive(),
  workers: z.int().positive(),
  scheduler: z.string().optional(),
  expression: z.string().optional(),
  inputShape: z.array(z.int().nonnegative()).optional(),
});

export function planOfRun(run: Pick<RunResult, 'id' | 'file' | 'dataset' | 'output' | 'compute' | 'expression' | 'inputShape' | 'inputDtype' | 'rows' | 'blockRows' | 'workers' | 'scheduler'>): ScriptPlan {
  return {
    ...expressionOfRun(run),
    runId: run.id, file: run.file, dataset: run.dataset, output: run.output, compute: run.compute ?? DEFAULT_KERNEL, kind: run.inputDtype,
    rows: run.rows, blockRows: run.blockRows, workers: run.workers,
    ...(run.scheduler && run.scheduler !== 'local' ? { scheduler: run.scheduler } : {}),
    // The run replaced or created the output; doing it again means replacing it.
    overwrite: true,
  };
}

/** An expression run's text and numpy twin, compiled again for the input's shape as it was at the run. */
function expressionOfRun(run: Pick<RunResult, 'id' | 'file' | 'dataset' | 'expression' | 'inputShape' | 'inputDtype'>): Pick<ScriptPlan, 'expression' | 'expressionNumpy'> {
  if (run.expression === undefined) return {};
  if (!run.inputShape) {
    throw new H5BlocksError('invalid-argument', `${basename(run.file)}: run ${run.id} computed an expression but was recorded without its dataset's shape, which the script needs; run it again and export that run`, { file: run.file });
  }
  return { expression: run.expression, expressionNumpy: expressionNumpy(run.expression, run.inputShape, run.inputDtype, run.file, run.dataset) };
}

function expressionNumpy(text: string, shape: readonly number[], kind: string, file: string, dataset: string): string {
  try {
    return numpyModule(compileExpression(text, shape, kind));
  } catch (error) {
    if (!(error instanceof ExpressionRefused)) throw error;
    throw new H5BlocksError('invalid-argument', `${basename(file)}: ${dataset}: expression ${JSON.stringify(text)} ${error.message}`, { file, object: dataset });
  }
}

/** The generated module as a Python raw string literal (readable in the script); JSON's escapes if it could not be one. */
function pythonModuleLiteral(module: string): string {
  return module.includes("'''") || module.includes('\\') ? JSON.stringify(module) : `r'''${module}'''`;
}

/**
 * A run as `h5blocks run --json` prints it, or one run of the compare view's
 * JSON export (`{ runs: [...] }`, chosen with `runId` when it holds several).
 */
export function planFromRunJson(text: string, displayName: string, runId?: string): ScriptPlan {
  const bad = (why: string) => new H5BlocksError('invalid-argument', `${displayName}: ${why}`, { file: displayName });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('is not JSON; give the output of `h5blocks run --json` or the app\'s JSON export of runs');
  }
  let candidates: unknown[] = [data];
  if (data && typeof data === 'object' && Array.isArray((data as { runs?: unknown }).runs)) candidates = (data as { runs: unknown[] }).runs;
  if (runId !== undefined) candidates = candidates.filter((run) => (run as { id?: unknown } | null)?.id === runId);
  if (candidates.length === 0) throw bad(runId ? `holds no run with the id ${runId}` : 'holds no run');
  if (candidates.length > 1) throw bad(`holds ${candidates.length} runs; choose one with --run ID`);
  const parsed = runShape.safeParse(candidates[0]);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`is not a run h5blocks recorded (${issue.path.join('.') || 'the run'}: ${issue.message})`);
  }
  return planOfRun(parsed.data);
}

/**
 * A self-contained Python script (h5py, numpy, dask.distributed) performing
 * the plan: the kernel h5blocks' Dask driver uses, the plan, and a main that
 * runs the blocks on a cluster and merges their shards in one process.
 */
export function exportScript(plan: ScriptPlan, appVersion: string): string {
  const kernel = readFileSync(pythonResource('h5blocks_kernel.py'), 'utf8');
  const main = readFileSync(pythonResource('h5blocks_script_main.py'), 'utf8');
  const where = plan.scheduler ? `on the Dask scheduler ${plan.scheduler}` : `on a local Dask cluster of ${plan.workers} workers`;
  const { expressionNumpy: module, ...planLine } = plan;
  const what = plan.expression !== undefined ? `the expression ${plan.expression.replace(/\s+/g, ' ')}` : plan.compute;
  return [
    '#!/usr/bin/env python3',
    `# Written by h5blocks ${appVersion} from run ${plan.runId}: ${what} of each row of ${plan.dataset}`,
    `# in ${basename(plan.file)} (${plan.rows} rows, blocks of ${plan.blockRows}) into ${plan.output}, ${where}.`,
    '# Needs Python 3 with h5py, numpy, dask and distributed; every worker must see the input file',
    '# at the same path. Each task reads its rows read-only and writes a shard beside the file;',
    '# this process alone then writes the output, provenance and h5blocks_complete last.',
    '',
    kernel.trimEnd(),
    '',
    '',
    // A JSON string literal is also a valid Python string literal.
    `PLAN = __import__('json').loads(${JSON.stringify(JSON.stringify(planLine))})`,
    '',
    ...(module !== undefined
      ? [
        '# The expression in numpy, generated by h5blocks from its checked syntax tree (the same tree its',
        '# JavaScript kernel is compiled from): float64 evaluation, one rounding to the output type.',
        `EXPRESSION_NUMPY = ${pythonModuleLiteral(module)}`,
      ]
      : ['EXPRESSION_NUMPY = None']),
    '',
    '',
    main.trimEnd(),
    '',
  ].join('\n');
}

/**
 * The plan a request would run (`h5blocks run --dry-run`): the input is opened
 * read-only to check it and to choose the default block as a run would.
 */
export async function planOfRequest(request: RunRequest): Promise<ScriptPlan> {
  checkRequest(request);
  const file = resolve(request.file);
  checkReadableFile(file);
  const source = await openHdf5(file, 'read');
  try {
    const kernel = kernelOf(request);
    const input = usableInput((await loadH5()).module, source, request.dataset, undefined, kernel);
    // The script runs the plan on Dask: the same workers and blocks the run would choose.
    const { workers, blockRows } = chooseRun(request, {
      rows: input.rows, rowBytes: input.columns * input.elementBytes, chunkRows: input.chunkRows, filtered: input.filtered, directChunks: false, cores: machineCores(),
    });
    return {
      runId: 'dry-run', file, dataset: input.dataset, output: resolveOutputPath(input.dataset, request.output ?? defaultOutputName(input.dataset, kernel.name)),
      compute: kernel.name, kind: input.kind,
      ...(request.expr !== undefined ? { expression: request.expr, expressionNumpy: expressionNumpy(request.expr, input.shape, input.kind, file, input.dataset) } : {}),
      rows: input.rows, blockRows, workers, overwrite: request.overwrite === true,
      ...(request.scheduler ? { scheduler: request.scheduler } : {}),
    };
  } finally {
    closeQuietly(source);
  }
}
