// Compiles a bound expression tree to a JavaScript block function: one tight loop
// over the block's rows, each node one `const` (no per-row allocation, no nesting
// the engine could choke on), evaluated in float64 and written once to the output
// array, which rounds it to the output type. The source is generated from the
// checked tree only: the user's text never reaches it, only numbers parsed from it
// and names chosen here. Run in workers (and the main process for previews); the
// renderer never compiles anything.
import type { NonFiniteCounts } from '@shared/run';
import { scaledNorm, type OutputType } from '../../compute/rowNorm';
import type { Expr } from './grammar';

/** NaN and ±Inf among the values written (after rounding to the output type), for the run's report. */
export type { NonFiniteCounts };

/**
 * Evaluates the expression on `rows` rows: `values` holds their elements row-major
 * (`elementsPerRow` each, as numbers: float16 and 64-bit integers already decoded to
 * a Float64Array), the first of them is row `firstRow` of the dataset (the `i` of the
 * expression); writes `out[0 … rows)`, an array of the kernel's output type.
 */
export type BlockFunction = (values: ArrayLike<number>, rows: number, firstRow: number, out: Float32Array | Float64Array) => NonFiniteCounts;

/** Rows of at most this many elements get their reductions written out element by element. */
const UNROLLED_UP_TO = 8;

export const SAFE_LOW = 2 ** -900;
export const SAFE_HIGH = 2 ** 900;

/** What the generated code may call besides Math: each keeps JS and numpy (compileNumpy.ts) the same bits. */
const helpers = {
  /** C's pow (numpy's): pow(1, y) and pow(-1, ±Inf) are 1, where Math.pow gives NaN. */
  pow(a: number, b: number): number {
    return a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : Math.pow(a, b);
  },
  /** Half away from zero (as C's round), the same on both sides; Math.round rounds half up. */
  round(a: number): number {
    const t = Math.trunc(a);
    return Math.abs(a - t) >= 0.5 ? t + Math.sign(a) : t;
  },
  /**
   * Math.hypot(a, b) as V8 computes it (|values| over the largest, Kahan-summed squares), for
   * a norm of two values whose sum of squares left the safe range, as rowNorm.ts does; written
   * out so the engine inlines it. The numpy twin's _v8_hypot is the same sequence of operations.
   */
  hypot(a: number, b: number): number {
    a = Math.abs(a);
    b = Math.abs(b);
    if (a === Infinity || b === Infinity) return Infinity;
    if (a !== a || b !== b) return NaN;
    const big = a > b ? a : b;
    if (big === 0) return 0;
    const p = a / big;
    const q = b / big;
    // With two terms, Kahan's compensation after the first is exactly 0: the sum is p² + q².
    return Math.sqrt(p * p + q * q) * big;
  },
  /** The norm kernel's own rescaled norm: +Inf beats NaN, NaN propagates (bit for bit the same as `norm`). */
  scaledNorm,
  /** Only rows whose sum of squares left float64's safe range get here, so the array is rare. */
  scaledNormOf(...terms: number[]): number {
    return helpers.scaledNorm(terms, 0, terms.length);
  },
};

const MATH_1: Record<string, string> = {
  sqrt: 'Math.sqrt', abs: 'Math.abs', exp: 'Math.exp', log: 'Math.log', log1p: 'Math.log1p', log10: 'Math.log10',
  sin: 'Math.sin', cos: 'Math.cos', tan: 'Math.tan', asin: 'Math.asin', acos: 'Math.acos', atan: 'Math.atan',
  sinh: 'Math.sinh', cosh: 'Math.cosh', tanh: 'Math.tanh', floor: 'Math.floor', ceil: 'Math.ceil', trunc: 'Math.trunc',
  sign: 'Math.sign', round: 'H.round',
};
// hypot never gets here: grammar.ts makes it a norm.
const MATH_2: Record<string, string> = { atan2: 'Math.atan2', min: 'Math.min', max: 'Math.max' };
const COMPARE: Record<string, string> = { '<': '<', '<=': '<=', '>': '>', '>=': '>=', '==': '===', '!=': '!==' };

/** float64 values from this magnitude up round to ±Inf in float32 (halfway past its largest, ties to even). */
export const FLOAT32_OVERFLOW = 2 ** 128 - 2 ** 103;

export function jsSource(tree: Expr, elementsPerRow: number, outputType: OutputType): string {
  const emitter = new Emitter(elementsPerRow);
  const result = emitter.value(tree, emitter.rowLines, false);
  // Counted on the float64 value, against the bound past which the output type holds ±Inf:
  // one comparison per row, no read back from the output. A NaN is written as the one quiet
  // NaN (0x7FF8… / 0x7FC00000, as the built-in kernels write it): the hardware's NaN from an
  // operation (Inf - Inf, 0/0) may carry a sign bit, which numpy's would not, so runs could
  // otherwise differ in bits where they agree in value.
  const finiteBelow = outputType === 'float32' ? String(FLOAT32_OVERFLOW) : 'Infinity';
  return [
    '"use strict";',
    'return function expressionBlock(v, rows, firstRow, out) {',
    `  const E = ${elementsPerRow};`,
    '  let nan = 0;',
    '  let posInf = 0;',
    '  let negInf = 0;',
    '  for (let r = 0, b = 0; r < rows; r++, b += E) {',
    '    const i = firstRow + r;',
    ...emitter.rowLines.map((line) => `    ${line}`),
    `    const y = ${result};`,
    '    out[r] = y;',
    `    if (!(Math.abs(y) < ${finiteBelow})) { if (y !== y) { nan++; out[r] = NaN; } else if (y > 0) posInf++; else negInf++; }`,
    '  }',
    '  return { nan, posInf, negInf };',
    '};',
  ].join('\n');
}

export function compileJs(tree: Expr, elementsPerRow: number, outputType: OutputType): BlockFunction {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the checked tree, never from text
  return new Function('H', jsSource(tree, elementsPerRow, outputType))(helpers) as BlockFunction;
}

export function jsNumber(value: number): string {
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '(-Infinity)';
  if (Number.isNaN(value)) return 'NaN';
  return `(${Object.is(value, -0) ? '-0' : String(value)})`;
}

class Emitter {
  readonly rowLines: string[] = [];
  private count = 0;
  /** Elements read once per row, named once (only at row level: reduction loops have their own scope). */
  private readonly elementNames = new Map<number, string>();

  constructor(private readonly perRow: number) {}

  private temp(lines: string[], source: string): string {
    const name = `t${this.count++}`;
    lines.push(`const ${name} = ${source};`);
    return name;
  }

  private element(lines: string[], offset: number): string {
    const known = this.elementNames.get(offset);
    if (known) return known;
    const name = this.temp(lines, `v[b + ${offset}]`);
    this.elementNames.set(offset, name);
    return name;
  }

  /** Emits `expr` into `lines`; returns a name or literal holding its value. In a reduction, x is `e`. */
  value(expr: Expr, lines: string[], inReduction: boolean): string {
    const of = (child: Expr) => this.value(child, lines, inReduction);
    switch (expr.kind) {
      case 'number': return jsNumber(expr.value);
      case 'rowIndex': return 'i';
      case 'row': return inReduction ? 'e' : this.element(lines, 0);
      case 'element': return this.element(lines, expr.offset!);
      case 'negate': return this.temp(lines, `-${of(expr.arg)}`);
      case 'not': return this.temp(lines, `${of(expr.arg)} === 0 ? 1 : 0`);
      case 'arithmetic': {
        const a = of(expr.left);
        if (expr.op === '**' && expr.right.kind === 'number' && expr.right.value === 2) return this.temp(lines, `${a} * ${a}`);
        const b = of(expr.right);
        return this.temp(lines, expr.op === '**' ? `H.pow(${a}, ${b})` : `${a} ${expr.op} ${b}`);
      }
      case 'comparison': {
        const a = of(expr.left);
        const b = of(expr.right);
        return this.temp(lines, `${a} ${COMPARE[expr.op]} ${b} ? 1 : 0`);
      }
      case 'logic': {
        const a = of(expr.left);
        const b = of(expr.right);
        return this.temp(lines, `${a} !== 0 ${expr.op === 'and' ? '&&' : '||'} ${b} !== 0 ? 1 : 0`);
      }
      case 'where': {
        const c = of(expr.cond);
        const a = of(expr.then);
        const b = of(expr.otherwise);
        return this.temp(lines, `${c} !== 0 ? ${a} : ${b}`);
      }
      case 'call1': return this.temp(lines, `${MATH_1[expr.fn]}(${of(expr.arg)})`);
      case 'call2': return this.temp(lines, `${MATH_2[expr.fn]}(${of(expr.a)}, ${of(expr.b)})`);
      case 'reduce': return this.reduction(expr, lines);
      case 'norm': return this.norm(expr, lines, inReduction);
    }
  }

  private reduction(expr: Extract<Expr, { kind: 'reduce' }>, lines: string[]): string {
    const E = this.perRow;
    if (E === 0) return { sum: '(0)', mean: 'NaN', count: '(0)', min: 'Infinity', max: '(-Infinity)' }[expr.fn];
    const acc = `a${this.count++}`;
    const body: string[] = [];
    const each = this.value(expr.body, body, true);
    // Starting a sum at -0 keeps the first term's own sign, as numpy's add.accumulate does.
    const start = { sum: '-0', mean: '-0', count: '0', min: 'Infinity', max: '-Infinity' }[expr.fn];
    const step = {
      sum: `${acc} += ${each};`, mean: `${acc} += ${each};`, count: `if (${each} !== 0) ${acc}++;`,
      min: `${acc} = Math.min(${acc}, ${each});`, max: `${acc} = Math.max(${acc}, ${each});`,
    }[expr.fn];
    lines.push(`let ${acc} = ${start};`);
    if (E <= UNROLLED_UP_TO) {
      // Short rows: one block per element, no inner loop (about twice as fast for N×2).
      for (let c = 0; c < E; c++) lines.push(`{ const e = v[b + ${c}]; ${body.join(' ')} ${step} }`);
    } else {
      lines.push(`for (let k = b, end = b + E; k < end; k++) {`);
      lines.push('  const e = v[k];');
      for (const line of body) lines.push(`  ${line}`);
      lines.push(`  ${step}`);
      lines.push('}');
    }
    return expr.fn === 'mean' ? this.temp(lines, `${acc} / E`) : acc;
  }

  // As rowNorm.ts: the sum of squares in order; sqrt when it is safely inside
  // float64's range; otherwise hypot (V8's, see helpers.hypot) for two values, the rescaled sum for others.
  private norm(expr: Extract<Expr, { kind: 'norm' }>, lines: string[], inReduction: boolean): string {
    if (expr.terms === null && this.perRow !== 2) {
      const s = `a${this.count++}`;
      lines.push(`let ${s} = 0;`);
      lines.push(`for (let k = b, end = b + E; k < end; k++) { const e = v[k]; ${s} += e * e; }`);
      return this.temp(lines, `${s} >= ${SAFE_LOW} && ${s} <= ${SAFE_HIGH} ? Math.sqrt(${s}) : H.scaledNorm(v, b, E)`);
    }
    const terms = expr.terms === null ? [this.element(lines, 0), this.element(lines, 1)] : expr.terms.map((t) => this.value(t, lines, inReduction));
    const s = this.temp(lines, terms.map((t) => `${t} * ${t}`).join(' + '));
    const fallback = terms.length === 2 ? `H.hypot(${terms[0]}, ${terms[1]})` : `H.scaledNormOf(${terms.join(', ')})`;
    return this.temp(lines, `${s} >= ${SAFE_LOW} && ${s} <= ${SAFE_HIGH} ? Math.sqrt(${s}) : ${fallback}`);
  }
}
