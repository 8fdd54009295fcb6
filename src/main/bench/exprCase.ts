// The expression case (`h5blocks bench --only expr`), whole processes side by
// side on the 20 M × 2 float32 contiguous input: `h5blocks run --expr
// 'sqrt(x[0]**2 + x[1]**2)'` against the built-in kernel computing the same
// values (`run --compute norm`), and against h5py + numpy evaluating the same
// formula in blocks. Each command runs on its own copy of the input, in
// alternating rounds so a drift in the machine's load touches them alike.
import { defaultBlockRows } from '@shared/blocks';
import { contiguousInput, type InputBuilder } from './inputs';
import { timeCommand } from './wholeProcess';
import { projectFile } from './projectFiles';
import type { PythonWithH5py } from './python';

export const EXPRESSION = 'sqrt(x[0]**2 + x[1]**2)';
/** The target: the expression within 1.5× of the built-in kernel's time. */
export const EXPR_TARGET = 1.5;

export interface ExprCase {
  label: string;
  expression: string;
  rounds: number;
  /** Medians over the rounds, seconds. */
  exprSeconds: number;
  normSeconds: number;
  numpySeconds: number;
  /** The expression's time ÷ the kernel's; at most EXPR_TARGET passes. */
  vsKernel: number;
  /** numpy's time ÷ the expression's; above 1 is faster than numpy. */
  vsNumpy: number;
  target: number;
  /** Within EXPR_TARGET of the kernel. */
  status: 'PASS' | 'FAIL';
  /** Faster than h5py + numpy (the other aim; the built-in kernel is judged against numpy the same way). */
  numpyStatus: 'PASS' | 'FAIL';
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function measureExprCase(builder: InputBuilder, python: PythonWithH5py, rows: number, rounds: number): Promise<ExprCase> {
  const { scratch, signal, log } = builder;
  const cli = projectFile('bin/h5blocks.js');
  const baseline = projectFile('bench/numpy_kernels.py');
  const input = await contiguousInput(builder, { id: 'expr-input', rows, judged: false });
  // numpy reads the blocks h5blocks' default would, for one worker.
  const block = defaultBlockRows(rows, 8, 1, 1);
  const times = { expr: [] as number[], norm: [] as number[], numpy: [] as number[] };
  const timed = async (name: keyof typeof times, command: string, args: (copy: string) => string[]) => {
    const copy = scratch.copy(input.path, `expr.${name}.h5`);
    try {
      times[name].push((await timeCommand([command, ...args(copy)], scratch.file(`expr.${name}.time`), signal, `expr case (${name})`)).wallSeconds);
    } finally {
      scratch.discard(`expr.${name}.h5`);
      scratch.discard(`expr.${name}.time`);
    }
  };
  for (let round = 0; round < rounds; round++) {
    await timed('expr', process.execPath, (copy) => [cli, 'run', copy, '--dataset', '/coords', '--expr', EXPRESSION, '--output', '/e']);
    await timed('norm', process.execPath, (copy) => [cli, 'run', copy, '--dataset', '/coords', '--compute', 'norm', '--output', '/n']);
    await timed('numpy', python.executable, (copy) => ['-B', baseline, 'norm', copy, '/coords', String(block)]);
    log(`expr round ${round + 1}: expr ${times.expr[round].toFixed(2)} s, norm ${times.norm[round].toFixed(2)} s, numpy ${times.numpy[round].toFixed(2)} s`);
  }
  scratch.discard('expr-input.h5');
  const exprSeconds = median(times.expr);
  const normSeconds = median(times.norm);
  const numpySeconds = median(times.numpy);
  const vsKernel = exprSeconds / normSeconds;
  const vsNumpy = numpySeconds / exprSeconds;
  return {
    label: input.label, expression: EXPRESSION, rounds, exprSeconds, normSeconds, numpySeconds, vsKernel, vsNumpy, target: EXPR_TARGET,
    status: vsKernel <= EXPR_TARGET ? 'PASS' : 'FAIL',
    numpyStatus: vsNumpy > 1 ? 'PASS' : 'FAIL',
  };
}

export function exprCaseLines(result: ExprCase | null | undefined): string[] {
  if (!result) return [];
  return [
    '',
    `Expressions, whole processes side by side on ${result.label} (medians of ${result.rounds} rounds; each on its own copy; start-up included):`,
    `  h5blocks run --expr '${result.expression}' ${result.exprSeconds.toFixed(2)} s`,
    `  h5blocks run --compute norm ${result.normSeconds.toFixed(2)} s: the expression takes ${result.vsKernel.toFixed(2)}× the kernel's time (target ≤ ${result.target}×) ${result.status}`,
    `  h5py + numpy, the same formula in blocks ${result.numpySeconds.toFixed(2)} s: the expression run is ${result.vsNumpy.toFixed(2)}× as fast (target > 1×) ${result.numpyStatus}`,
  ];
}
