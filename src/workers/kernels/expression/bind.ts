// Checks a grammatical expression against the rows of one dataset: x[…] must
// name an element that every row has, bare x is a value only where rows are
// single values (or inside a reduction). Element indices become offsets into the
// row's elements, row-major, as they lie in a block.
import { mapChildren, type Expr } from './grammar';
import { ExpressionRefused } from './refusal';

/** `rowShape`: the dataset's shape without its first (row) axis: [] for N, [D] for N×D, [H, W] for frames. */
export function bindToRows(tree: Expr, rowShape: readonly number[]): Expr {
  const bind = (expr: Expr, inReduction: boolean): Expr => {
    if (expr.kind === 'element') return { ...expr, offset: elementOffset(expr, rowShape) };
    if (expr.kind === 'row' && !inReduction && rowShape.length > 0) {
      throw new ExpressionRefused(expr.at + 1, `x is ${describeRow(rowShape)} here: take one value with ${indexExample(rowShape)}, or reduce it, e.g. sum(x) or max(x)`);
    }
    if (expr.kind === 'norm' && expr.terms === null) return expr;
    return mapChildren(expr, (child) => bind(child, inReduction || expr.kind === 'reduce'));
  };
  return bind(tree, false);
}

export function elementsPerRow(rowShape: readonly number[]): number {
  return rowShape.reduce((product, n) => product * n, 1);
}

function elementOffset(expr: Extract<Expr, { kind: 'element' }>, rowShape: readonly number[]): number {
  const written = `x[${expr.indices.join(', ')}]`;
  if (rowShape.length === 0) {
    throw new ExpressionRefused(expr.at + 1, `rows of this dataset are single values (it is 1-D): write x, not ${written}`);
  }
  if (expr.indices.length !== rowShape.length) {
    throw new ExpressionRefused(expr.at + 1, `${written} has ${expr.indices.length} ${expr.indices.length === 1 ? 'index' : 'indices'} but x is ${describeRow(rowShape)} here: write ${indexExample(rowShape)}`);
  }
  let offset = 0;
  expr.indices.forEach((written, axis) => {
    const size = rowShape[axis];
    const index = written < 0 ? written + size : written;
    if (index < 0 || index >= size) {
      const what = rowShape.length === 1 ? 'column' : `index on axis ${axis + 1}`;
      const range = size === 0 ? 'rows have none' : `it goes from 0 to ${size - 1} (or -${size} to -1 from the end)`;
      throw new ExpressionRefused(expr.indexAt[axis] + 1, `${what} ${written} is out of range for this dataset: ${range}`);
    }
    offset = offset * size + index;
  });
  return offset;
}

function describeRow(rowShape: readonly number[]): string {
  if (rowShape.length === 1) return `a row of ${rowShape[0]} ${rowShape[0] === 1 ? 'column' : 'columns'}`;
  return `a frame of ${rowShape.join(' × ')}`;
}

function indexExample(rowShape: readonly number[]): string {
  return `x[${rowShape.map(() => '0').join(', ')}]`;
}
