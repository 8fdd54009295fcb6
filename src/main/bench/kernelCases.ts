// The kernels' two benchmark cases, whole processes side by side: `h5blocks
// run --compute sum` on an image stack against h5py + numpy summing frames in
// blocks, and `h5blocks stats` on the 20 M × 2 shuffle+gzip input against
// numpy reading it once. Each command runs on its own copy of the input.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { defaultBlockRows } from '@shared/blocks';
import { compressedInput, contiguousInput, type InputBuilder } from './inputs';
import { projectFile } from './projectFiles';
import { runPythonScript, type PythonWithH5py } from './python';

const execFileAsync = promisify(execFile);

/** The target for both cases: h5blocks at least 1.5× faster than numpy, whole processes. */
export const KERNEL_TARGET = 1.5;
export const STACK_FRAMES = 2000;
const FRAME_SIDE = 512;

export interface KernelCaseRow {
  case: 'stack-sum' | 'stats';
  label: string;
  h5blocksCommand: string;
  h5blocksSeconds: number;
  numpySeconds: number;
  /** numpy's time ÷ h5blocks'; above 1 is faster. */
  ratio: number;
  target: number;
  status: 'PASS' | 'FAIL';
}

export async function timeProcess(command: string, args: string[], signal: AbortSignal): Promise<number> {
  const start = performance.now();
  try {
    await execFileAsync(command, args, { signal, killSignal: 'SIGINT', maxBuffer: 64 * 2 ** 20 });
  } catch (error) {
    signal.throwIfAborted();
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').at(-1);
    throw new Error(`${args.slice(0, 3).join(' ')} failed: ${stderr ?? String(error)}`);
  }
  return (performance.now() - start) / 1000;
}

function row(kind: KernelCaseRow['case'], label: string, h5blocksArgs: string[], h5blocksSeconds: number, numpySeconds: number): KernelCaseRow {
  const ratio = numpySeconds / h5blocksSeconds;
  return {
    case: kind, label, h5blocksCommand: `h5blocks ${h5blocksArgs.join(' ')}`, h5blocksSeconds, numpySeconds, ratio,
    target: KERNEL_TARGET, status: ratio >= KERNEL_TARGET ? 'PASS' : 'FAIL',
  };
}

export async function measureKernelCases(
  builder: InputBuilder, python: PythonWithH5py, which: { stackSum: boolean; stats: boolean }, rows: number, frames = STACK_FRAMES,
): Promise<KernelCaseRow[]> {
  const { scratch, signal, log } = builder;
  const cli = projectFile('bin/h5blocks.js');
  const baseline = projectFile('bench/numpy_kernels.py');
  const results: KernelCaseRow[] = [];
  if (which.stackSum) {
    const path = scratch.file('stack.h5');
    log(`writing stack: ${frames} × ${FRAME_SIDE} × ${FRAME_SIDE} uint16, one gzip chunk per frame (h5py)`);
    await runPythonScript(python, 'make_stack.py', [path, '--frames', String(frames), '--size', String(FRAME_SIDE)], signal);
    const ours = scratch.copy(path, 'stack.h5blocks.h5');
    const args = ['run', ours, '--dataset', '/stack', '--compute', 'sum'];
    const h5blocksSeconds = await timeProcess(process.execPath, [cli, ...args], signal);
    scratch.discard('stack.h5blocks.h5');
    const theirs = scratch.copy(path, 'stack.numpy.h5');
    // numpy reads the same blocks h5blocks' default would, for one worker.
    const block = defaultBlockRows(frames, FRAME_SIDE * FRAME_SIDE * 2, 1, 1);
    const numpySeconds = await timeProcess(python.executable, ['-B', baseline, 'sum', theirs, '/stack', String(block)], signal);
    scratch.discard('stack.numpy.h5');
    scratch.discard('stack.h5');
    results.push(row('stack-sum', `sum per frame, ${frames} × ${FRAME_SIDE} × ${FRAME_SIDE} uint16, gzip chunks of one frame`, ['run', 'FILE', ...args.slice(2)], h5blocksSeconds, numpySeconds));
    log(`stack-sum: h5blocks ${h5blocksSeconds.toFixed(2)} s, numpy ${numpySeconds.toFixed(2)} s`);
  }
  if (which.stats) {
    const source = await contiguousInput(builder, { id: 'stats-source', rows, judged: false });
    const input = await compressedInput(builder, { id: 'stats-input', rows, judged: false }, source);
    scratch.discard('stats-source.h5');
    const ours = scratch.copy(input.path, 'stats.h5blocks.h5');
    const args = ['stats', ours, '--dataset', '/coords'];
    const h5blocksSeconds = await timeProcess(process.execPath, [cli, ...args], signal);
    scratch.discard('stats.h5blocks.h5');
    const theirs = scratch.copy(input.path, 'stats.numpy.h5');
    const numpySeconds = await timeProcess(python.executable, ['-B', baseline, 'stats', theirs, '/coords', '10'], signal);
    scratch.discard('stats.numpy.h5');
    results.push(row('stats', `stats of ${input.label}`, ['stats', 'FILE', ...args.slice(2)], h5blocksSeconds, numpySeconds));
    log(`stats: h5blocks ${h5blocksSeconds.toFixed(2)} s, numpy ${numpySeconds.toFixed(2)} s`);
  }
  return results;
}

export function kernelCaseLines(rows: KernelCaseRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    '',
    'Kernels, whole processes side by side (each on its own copy; process start-up included on both sides):',
    ...rows.map((r) => `  ${r.label}: ${r.h5blocksCommand} ${r.h5blocksSeconds.toFixed(2)} s vs h5py + numpy ${r.numpySeconds.toFixed(2)} s = ${r.ratio.toFixed(2)}× (target ≥ ${r.target}×) ${r.status}`),
  ];
}
