// The kernels' two benchmark cases, whole processes side by side: `h5blocks
// run --compute sum` on an image stack against h5py + numpy summing frames in
// blocks, and `h5blocks stats` on the 20 M × 2 shuffle+gzip input against
// numpy reading it once. Each command runs on its own copy of the input.
import { defaultBlockRows } from '@shared/blocks';
import { compressedInput, contiguousInput, type InputBuilder } from './inputs';
import { projectFile } from './projectFiles';
import { runPythonScript, type PythonWithH5py } from './python';
import { median, timeCommand } from './wholeProcess';

/** The target for both cases: h5blocks at least 1.5× faster than numpy, whole processes. */
export const KERNEL_TARGET = 1.5;
export const STACK_FRAMES = 2000;
const FRAME_SIDE = 512;

/** One side's whole-process runs: medians, spread and peak memory. */
export interface KernelSide {
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  medianCpuSeconds: number;
  medianPeakRssMb: number;
}

export interface KernelCaseRow {
  case: 'stack-sum' | 'stats';
  label: string;
  h5blocksCommand: string;
  /** Rounds of alternating runs (h5blocks, numpy, h5blocks, numpy, …). */
  rounds: number;
  h5blocks: KernelSide;
  numpy: KernelSide;
  /** Medians, kept flat for readers of earlier JSON. */
  h5blocksSeconds: number;
  numpySeconds: number;
  /** numpy's median ÷ h5blocks'; above 1 is faster. */
  ratio: number;
  target: number;
  status: 'PASS' | 'FAIL';
}

interface Side {
  argv: (copy: string) => string[];
}

/**
 * Both commands for `rounds` rounds, alternating, each on a fresh copy of the
 * input made before its clock starts, after a `sync`, timed by GNU time.
 */
async function alternate(builder: InputBuilder, name: string, input: string, sides: { h5blocks: Side; numpy: Side }, rounds: number): Promise<{ h5blocks: KernelSide; numpy: KernelSide }> {
  const { scratch, signal, log } = builder;
  const runs = { h5blocks: [] as Awaited<ReturnType<typeof timeCommand>>[], numpy: [] as Awaited<ReturnType<typeof timeCommand>>[] };
  for (let round = 1; round <= rounds; round++) {
    for (const side of ['h5blocks', 'numpy'] as const) {
      const copyName = `${name}.${side}.h5`;
      const copy = scratch.copy(input, copyName);
      try {
        const run = await timeCommand(sides[side].argv(copy), scratch.file(`${copyName}.time`), signal, `${name} (${side})`);
        runs[side].push(run);
        log(`${name} | ${side}: ${run.wallSeconds.toFixed(2)} s, ${run.cpuSeconds.toFixed(2)} s CPU, peak ${run.peakRssMb.toFixed(0)} MB (round ${round} of ${rounds})`);
      } finally {
        scratch.discard(copyName);
        scratch.discard(`${copyName}.time`);
      }
    }
  }
  const summary = (of: typeof runs.h5blocks): KernelSide => ({
    medianSeconds: median(of.map((r) => r.wallSeconds)),
    minSeconds: Math.min(...of.map((r) => r.wallSeconds)),
    maxSeconds: Math.max(...of.map((r) => r.wallSeconds)),
    medianCpuSeconds: median(of.map((r) => r.cpuSeconds)),
    medianPeakRssMb: median(of.map((r) => r.peakRssMb)),
  });
  return { h5blocks: summary(runs.h5blocks), numpy: summary(runs.numpy) };
}

function row(kind: KernelCaseRow['case'], label: string, h5blocksArgs: string[], rounds: number, sides: { h5blocks: KernelSide; numpy: KernelSide }): KernelCaseRow {
  const ratio = sides.numpy.medianSeconds / sides.h5blocks.medianSeconds;
  return {
    case: kind, label, h5blocksCommand: `h5blocks ${h5blocksArgs.join(' ')}`, rounds, ...sides,
    h5blocksSeconds: sides.h5blocks.medianSeconds, numpySeconds: sides.numpy.medianSeconds, ratio,
    target: KERNEL_TARGET, status: ratio >= KERNEL_TARGET ? 'PASS' : 'FAIL',
  };
}

export async function measureKernelCases(
  builder: InputBuilder, python: PythonWithH5py, which: { stackSum: boolean; stats: boolean }, rows: number, frames = STACK_FRAMES, rounds = 5,
): Promise<KernelCaseRow[]> {
  const { scratch, signal, log } = builder;
  const cli = projectFile('bin/h5blocks.js');
  const baseline = projectFile('bench/numpy_kernels.py');
  const results: KernelCaseRow[] = [];
  if (which.stackSum) {
    const path = scratch.file('stack.h5');
    log(`writing stack: ${frames} × ${FRAME_SIDE} × ${FRAME_SIDE} uint16, one gzip chunk per frame (h5py)`);
    await runPythonScript(python, 'make_stack.py', [path, '--frames', String(frames), '--size', String(FRAME_SIDE)], signal);
    const args = ['--dataset', '/stack', '--compute', 'sum'];
    // numpy reads the same blocks h5blocks' default would, for one worker.
    const block = defaultBlockRows(frames, FRAME_SIDE * FRAME_SIDE * 2, 1, 1);
    const sides = await alternate(builder, 'stack-sum', path, {
      h5blocks: { argv: (copy) => [process.execPath, cli, 'run', copy, ...args] },
      numpy: { argv: (copy) => [python.executable, '-B', baseline, 'sum', copy, '/stack', String(block)] },
    }, rounds);
    scratch.discard('stack.h5');
    results.push(row('stack-sum', `sum per frame, ${frames} × ${FRAME_SIDE} × ${FRAME_SIDE} uint16, gzip chunks of one frame`, ['run', 'FILE', ...args], rounds, sides));
  }
  if (which.stats) {
    const source = await contiguousInput(builder, { id: 'stats-source', rows, judged: false });
    const input = await compressedInput(builder, { id: 'stats-input', rows, judged: false }, source);
    scratch.discard('stats-source.h5');
    const args = ['--dataset', '/coords'];
    const sides = await alternate(builder, 'stats', input.path, {
      h5blocks: { argv: (copy) => [process.execPath, cli, 'stats', copy, ...args] },
      numpy: { argv: (copy) => [python.executable, '-B', baseline, 'stats', copy, '/coords', '10'] },
    }, rounds);
    results.push(row('stats', `stats of ${input.label}`, ['stats', 'FILE', ...args], rounds, sides));
  }
  return results;
}

export function kernelCaseLines(rows: KernelCaseRow[]): string[] {
  if (rows.length === 0) return [];
  const side = (x: KernelSide) => `${x.medianSeconds.toFixed(2)} s (${x.minSeconds.toFixed(2)}–${x.maxSeconds.toFixed(2)}, peak ${x.medianPeakRssMb.toFixed(0)} MB)`;
  return [
    '',
    'Kernels, whole processes side by side (alternating, each on its own copy after a sync; medians over the rounds; process start-up included on both sides):',
    ...rows.map((r) => `  ${r.label}: ${r.h5blocksCommand} ${side(r.h5blocks)} vs h5py + numpy ${side(r.numpy)} = ${r.ratio.toFixed(2)}× (target ≥ ${r.target}×, ${r.rounds} rounds) ${r.status}`),
  ];
}
