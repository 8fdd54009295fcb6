// The user's own expression (src/workers/kernels/expression) on the kernel seam:
// a kernel made from its text and the dataset's shape, which travel with every
// block task (workers compile the text once and keep it).
import { compileExpressionCached, describeRefusal, validate, KERNEL_NAME } from './expression';
import { blockElements, narrowestExact, NARROWEST_RULE, type RowKernel } from './kernel';

export const EXPRESSION_KERNEL = KERNEL_NAME;

/** `shape`: the dataset's shape (rows first), which gives `x` its columns or its frame's axes. */
export function expressionKernel(text: string, shape: readonly number[]): RowKernel {
  return {
    name: EXPRESSION_KERNEL,
    description: `the expression ${text}, one value per row`,
    accepts: 'numeric datasets of rank ≥ 1 whose rows the expression indexes within their range',
    outputRule: `${NARROWEST_RULE} (evaluated in float64, rounded once)`,
    refuses(input) {
      const checked = validate(text, input.shape, input.kind);
      return checked.ok ? undefined : describeRefusal(text, checked);
    },
    outputType: narrowestExact,
    computeInto(block, out) {
      const kernel = compileExpressionCached(text, shape, block.kind, { outputType: out instanceof Float32Array ? 'float32' : 'float64' });
      return kernel.runBlock(blockElements(block), block.rows, block.firstRow ?? 0, out);
    },
    numpy: '',
  };
}
