// Compiles a bound expression tree to numpy: one Python function evaluating the
// expression on a whole block of rows at once, for the Dask strategy and exported
// scripts. It repeats the JavaScript kernel (compileJs.ts) operation for operation
// in float64, so exact operations give the same bits (+ - * / %, comparisons,
// where, sqrt, abs, floor, ceil, trunc, round, sign, min, max, hypot, the
// reductions and norms); libm's transcendental functions (exp, log, sin, …,
// a power other than 2) may differ from V8's by an ulp or so of float64.
import type { Expr } from './grammar';
import { SAFE_HIGH, SAFE_LOW } from './compileJs';

export const NUMPY_FUNCTION = 'h5blocks_expression';

/** Helpers the generated function calls; self-contained (numpy only). */
export const NUMPY_PRELUDE = `import numpy as np

F = np.float64
SAFE_LOW = 2.0 ** -900
SAFE_HIGH = 2.0 ** 900


def _b(condition):
    """A comparison's truth as 1.0 / 0.0, as the JavaScript kernel gives it."""
    return np.asarray(condition, dtype=F)


def _pow(a, b):
    return np.power(np.asarray(a, dtype=F), b)


def _round(a):
    """Half away from zero (C round), as the JavaScript kernel's round."""
    t = np.trunc(a)
    return np.where(np.abs(a - t) >= 0.5, t + _sign(a), t)


def _sign(a):
    """Math.sign: keeps -0.0 and NaN."""
    return np.where(a > 0, F(1), np.where(a < 0, F(-1), a))


def _min2(a, b):
    """Math.min: NaN propagates, -0.0 is below +0.0."""
    both_zero = (a == 0) & (b == 0)
    return np.where(both_zero, np.where(np.signbit(a), a, b), np.minimum(a, b))


def _max2(a, b):
    """Math.max: NaN propagates, +0.0 is above -0.0."""
    both_zero = (a == 0) & (b == 0)
    return np.where(both_zero, np.where(np.signbit(a), b, a), np.maximum(a, b))


def _v8_hypot(a):
    """Math.hypot(x, y) as V8 computes it, for rows of |x|, |y|."""
    nan = np.isnan(a)
    any_nan = nan.any(axis=1)
    big = np.where(nan, 0.0, a).max(axis=1)
    total = np.zeros(len(a))
    compensation = np.zeros(len(a))
    scale = np.where((big == 0) | ~np.isfinite(big), 1.0, big)
    for c in range(a.shape[1]):
        n = a[:, c] / scale
        summand = n * n - compensation
        preliminary = total + summand
        compensation = (preliminary - total) - summand
        total = preliminary
    result = np.sqrt(total) * scale
    result = np.where(big == 0, 0.0, result)
    result = np.where(any_nan, np.nan, result)
    return np.where(big == np.inf, np.inf, result)


def _rescaled(a):
    """The norm kernel's scaledNorm for rows of |x|: +Inf beats NaN, NaN propagates."""
    nan = np.isnan(a)
    big = np.where(nan, 0.0, a).max(axis=1) if a.shape[1] else np.zeros(len(a))
    scale = np.where((big == 0) | ~np.isfinite(big), 1.0, big)
    total = np.zeros(len(a))
    for c in range(a.shape[1]):
        q = a[:, c] / scale
        total = total + q * q
    result = big * np.sqrt(total)
    result = np.where(big == 0, 0.0, result)
    result = np.where(nan.any(axis=1), np.nan, result)
    return np.where(big == np.inf, np.inf, result)


def _norm(rows, terms):
    """sqrt of the sum of the terms' squares, as the norm kernel: rescaled where the sum leaves the safe range."""
    terms = [np.broadcast_to(np.asarray(t, dtype=F), (rows,)) for t in terms]
    s = terms[0] * terms[0]
    for t in terms[1:]:
        s = s + t * t
    return _norm_of_sum(s, np.stack(terms, axis=1))


def _row_norm(X):
    if X.shape[1] == 2:
        return _norm(len(X), [X[:, 0], X[:, 1]])
    s = np.add.accumulate(X * X, axis=1)[:, -1] if X.shape[1] else np.zeros(len(X))
    return _norm_of_sum(s, X)


def _norm_of_sum(s, values):
    result = np.sqrt(s)
    unsafe = ~((s >= SAFE_LOW) & (s <= SAFE_HIGH))
    if unsafe.any():
        result[unsafe] = (_v8_hypot if values.shape[1] == 2 else _rescaled)(np.abs(values[unsafe]))
    return result


def _sum(B):
    """Left to right from the first element, as the JavaScript loop adds."""
    return np.add.accumulate(B, axis=1)[:, -1]


def _min_row(B):
    r = np.min(B, axis=1)
    negative_zero = np.any((B == 0) & np.signbit(B), axis=1)
    return np.where(r == 0, np.where(negative_zero, F(-0.0), F(0.0)), r)


def _max_row(B):
    r = np.max(B, axis=1)
    positive_zero = np.any((B == 0) & ~np.signbit(B), axis=1)
    return np.where(r == 0, np.where(positive_zero, F(0.0), F(-0.0)), r)
`;

const NUMPY_1: Record<string, string> = {
  sqrt: 'np.sqrt', abs: 'np.abs', exp: 'np.exp', log: 'np.log', log1p: 'np.log1p', log10: 'np.log10',
  sin: 'np.sin', cos: 'np.cos', tan: 'np.tan', asin: 'np.arcsin', acos: 'np.arccos', atan: 'np.arctan',
  sinh: 'np.sinh', cosh: 'np.cosh', tanh: 'np.tanh', floor: 'np.floor', ceil: 'np.ceil', trunc: 'np.trunc',
  sign: '_sign', round: '_round',
};
// hypot never gets here: grammar.ts makes it a norm.
const NUMPY_2: Record<string, string> = { atan2: 'np.arctan2', min: '_min2', max: '_max2' };
const ARITHMETIC: Record<string, string> = { '+': '+', '-': '-', '*': '*', '/': '/' };

export function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return "F('nan')";
  if (value === Infinity) return "F('inf')";
  if (value === -Infinity) return "F('-inf')";
  return `F('${Object.is(value, -0) ? '-0.0' : String(value)}')`;
}

/**
 * `def h5blocks_expression(block, first_row, out_type)`: `block` is the rows as
 * h5py reads them (rows × the row shape, any numeric type), `first_row` the
 * dataset index of its first row; returns one value per row in `out_type`.
 * Prepend NUMPY_PRELUDE (once per script).
 */
export function numpySource(tree: Expr, elementsPerRow: number, text: string): string {
  const emitter = new NumpyEmitter(elementsPerRow);
  const lines: string[] = [];
  const result = emitter.value(tree, lines, false);
  return [
    `def ${NUMPY_FUNCTION}(block, first_row, out_type):`,
    `    """${text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"')}"""`,
    '    rows = len(block)',
    `    X = np.asarray(block).astype(F).reshape(rows, ${elementsPerRow})`,
    '    I = np.arange(rows, dtype=F) + F(first_row)',
    "    with np.errstate(all='ignore'):",
    ...lines.map((line) => `        ${line}`),
    `        y = np.broadcast_to(np.asarray(${result}, dtype=F), (rows,))`,
    "        # NaN as the one quiet NaN, as the JavaScript kernel writes it (an operation's NaN may carry a sign bit).",
    "        y = np.where(np.isnan(y), F('nan'), y)",
    '    return y.astype(out_type)',
    '',
  ].join('\n');
}

class NumpyEmitter {
  private count = 0;

  constructor(private readonly perRow: number) {}

  private temp(lines: string[], source: string): string {
    const name = `t${this.count++}`;
    lines.push(`${name} = ${source}`);
    return name;
  }

  /** In a reduction, values are rows × elements (x is X, i a column I[:, None]); otherwise one per row. */
  value(expr: Expr, lines: string[], inReduction: boolean): string {
    const of = (child: Expr) => this.value(child, lines, inReduction);
    switch (expr.kind) {
      case 'number': return pythonNumber(expr.value);
      case 'rowIndex': return inReduction ? 'I[:, None]' : 'I';
      case 'row': return inReduction ? 'X' : 'X[:, 0]';
      case 'element': return `X[:, ${expr.offset!}]`;
      case 'negate': return this.temp(lines, `-(${of(expr.arg)})`);
      case 'not': return this.temp(lines, `_b(${of(expr.arg)} == 0)`);
      case 'arithmetic': {
        const a = of(expr.left);
        if (expr.op === '**' && expr.right.kind === 'number' && expr.right.value === 2) return this.temp(lines, `${a} * ${a}`);
        const b = of(expr.right);
        if (expr.op === '**') return this.temp(lines, `_pow(${a}, ${b})`);
        // JavaScript's % is C's fmod (the sign of the dividend), not Python's %.
        if (expr.op === '%') return this.temp(lines, `np.fmod(${a}, ${b})`);
        return this.temp(lines, `${a} ${ARITHMETIC[expr.op]} ${b}`);
      }
      case 'comparison': return this.temp(lines, `_b(${of(expr.left)} ${expr.op} ${of(expr.right)})`);
      case 'logic': {
        const a = of(expr.left);
        const b = of(expr.right);
        return this.temp(lines, `_b((${a} != 0) ${expr.op === 'and' ? '&' : '|'} (${b} != 0))`);
      }
      case 'where': {
        const c = of(expr.cond);
        const a = of(expr.then);
        const b = of(expr.otherwise);
        return this.temp(lines, `np.where(${c} != 0, ${a}, ${b})`);
      }
      case 'call1': return this.temp(lines, `${NUMPY_1[expr.fn]}(${of(expr.arg)})`);
      case 'call2': return this.temp(lines, `${NUMPY_2[expr.fn]}(${of(expr.a)}, ${of(expr.b)})`);
      case 'reduce': return this.reduction(expr, lines);
      case 'norm':
        if (expr.terms === null) return this.temp(lines, '_row_norm(X)');
        if (inReduction) {
          const terms = expr.terms.map((t) => `np.broadcast_to(np.asarray(${this.value(t, lines, true)}, dtype=F), (rows, ${this.perRow})).ravel()`);
          return this.temp(lines, `_norm(rows * ${this.perRow}, [${terms.join(', ')}]).reshape(rows, ${this.perRow})`);
        }
        return this.temp(lines, `_norm(rows, [${expr.terms.map(of).join(', ')}])`);
    }
  }

  private reduction(expr: Extract<Expr, { kind: 'reduce' }>, lines: string[]): string {
    const E = this.perRow;
    if (E === 0) {
      return { sum: 'np.zeros(rows)', mean: 'np.full(rows, np.nan)', count: 'np.zeros(rows)', min: 'np.full(rows, np.inf)', max: 'np.full(rows, -np.inf)' }[expr.fn];
    }
    const each = this.value(expr.body, lines, true);
    const B = this.temp(lines, `np.broadcast_to(np.asarray(${each}, dtype=F), (rows, ${E}))`);
    switch (expr.fn) {
      case 'sum': return this.temp(lines, `_sum(${B})`);
      case 'mean': return this.temp(lines, `_sum(${B}) / F(${E})`);
      case 'count': return this.temp(lines, `np.count_nonzero(${B} != 0, axis=1).astype(F)`);
      case 'min': return this.temp(lines, `_min_row(${B})`);
      case 'max': return this.temp(lines, `_max_row(${B})`);
    }
  }
}
