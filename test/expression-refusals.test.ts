// What the expression box and `--expr` say about expressions they refuse: the
// 1-based character and a plain sentence, for the grammar (unknown names, member
// access, strings, too long, too deep …) and for the dataset (a column out of
// range, x[i, j] on rows of rank 1, a type that is not numeric). Also what they
// accept, and the preview of the first results.
import { describe, expect, it, vi } from 'vitest';
import {
  ExpressionRefused, MAX_DEPTH, MAX_LENGTH, acceptsDataset, addNonFinite, compileExpression, describeRefusal, nonFiniteSentence, parseExprOption, preview, validate,
} from '../src/workers/kernels/expression';

const ROWS_2 = [100, 2];

describe('refusals name the character and say why', () => {
  const cases: [text: string, shape: number[], position: number, message: RegExp][] = [
    ['x[0] + foo', ROWS_2, 8, /^unknown name "foo": only x \(the row\), i \(its index\) and the listed functions exist$/],
    ['foo(x[0])', ROWS_2, 1, /^unknown function "foo": the functions are sqrt, abs, .*where, sum, mean, count$/],
    ['sqrt(x[0], 1)', ROWS_2, 1, /^sqrt takes 1 value; 2 given$/],
    ['x[0] + sqrt', ROWS_2, 8, /^sqrt is a function: call it, e\.g\. sqrt\(x\[0\]\)$/],
    ['x.length', ROWS_2, 3, /^"\." is not part of the language/],
    ['x[0].constructor', ROWS_2, 6, /^"\." is not part of the language/],
    ['x["constructor"]', ROWS_2, 3, /^an index must be a whole number written out/],
    ['"abc"', ROWS_2, 1, /^text in quotes is not part of the language/],
    ["x[0] + 'a", ROWS_2, 8, /quote is not closed/],
    ['this', ROWS_2, 1, /^"this" is not part of the language/],
    ['true + x[0]', ROWS_2, 1, /^"true" is not part of the language/],
    ['x[0] > 0 ? 1 : 2', ROWS_2, 10, /^"\? :" is not part of the language: write where\(cond, a, b\)$/],
    ['x[0] = 1', ROWS_2, 6, /^"=" is not expected here$/],
    ['x[0] ^ 2', ROWS_2, 6, /^"\^" is not a power here: write x \*\* 2$/],
    ['x[0] === 1', ROWS_2, 6, /^write == to compare$/],
    ['~x[0]', ROWS_2, 1, /bitwise "~"/],
    ['x[0]; x[1]', ROWS_2, 7, /^write one expression only/],
    ['x[0] x[1]', ROWS_2, 6, /^write one expression only/],
    ['(x[0], x[1])', ROWS_2, 8, /^a "," separates function arguments only/],
    ['[1, 2]', ROWS_2, 1, /^a list in brackets is not part of the language/],
    ['x[0] +', ROWS_2, 7, /^a value is missing after "\+"$/],
    ['sqrt(x[0]', ROWS_2, 10, /^a value or a "," is misplaced|"\(" is not closed|is not expected here/],
    ['x[0', ROWS_2, 4, /^a "\[" is not closed by "\]"$/],
    ['x[0] # 2', ROWS_2, 6, /^"#" is not expected here$/],
    ['', ROWS_2, 1, /^the expression is empty/],
    ['   ', ROWS_2, 1, /^the expression is empty/],
    ['-x[0] ** 2', ROWS_2, 7, /^write -\(a \*\* b\) or \(-a\) \*\* b/],
    ['not x[0] > 1', ROWS_2, 1, /^write not \(a > b\) or \(not a\) > b/],
    ['0 < x[0] < 1', ROWS_2, 10, /^comparisons do not chain: write \(a < b\) and \(b < c\)$/],
    ['x[i]', ROWS_2, 3, /^i is the row index, not a column/],
    ['x[0.5]', ROWS_2, 3, /^an index must be a whole number written out/],
    ['x[, 0]', ROWS_2, 3, /^an index is missing here: write x\[0, 1\]$/],
    ['x[0,,1]', [10, 2, 2], 5, /^an index is missing here/],
    ['x[]', ROWS_2, 1, /^an index is missing in x\[\]/],
    ['y[0]', ROWS_2, 1, /^only x can be indexed/],
    ['sum(x[0])', ROWS_2, 5, /^inside a reduction x is each element of the row in turn/],
    ['sum(sum(x))', ROWS_2, 5, /^sum reduces the row: it cannot be inside another reduction$/],
    ['sum(i)', ROWS_2, 5, /^sum\(\.\.\.\) goes over the elements of the row: its argument must use x/],
    ['where(x[0] > 0, 1)', ROWS_2, 1, /^where takes 3 values, where\(cond, a, b\); 2 given$/],
    ['hypot(x[0])', ROWS_2, 1, /^hypot takes 2 values; 1 given$/],
    ['min(x[0], x[1], 0)', ROWS_2, 1, /^min takes 2 values; 3 given \(or 1, min\(x\), over the row\)$/],
    ['x(0)', ROWS_2, 1, /^x is not a function: write x\[0\] for a column$/],
    ['0x10', ROWS_2, 2, /number is directly followed by letters/],
    // Against the dataset's rows.
    ['x[2] / x[0]', ROWS_2, 3, /^column 2 is out of range for this dataset: it goes from 0 to 1 \(or -2 to -1 from the end\)$/],
    ['x[-3]', ROWS_2, 3, /^column -3 is out of range for this dataset/],
    ['x[0, 1]', ROWS_2, 1, /^x\[0, 1\] has 2 indices but x is a row of 2 columns here: write x\[0\]$/],
    ['x[1]', [10, 4, 5], 1, /^x\[1\] has 1 index but x is a frame of 4 × 5 here: write x\[0, 0\]$/],
    ['x[3, 5]', [10, 4, 5], 6, /^index on axis 2 5 is out of range for this dataset: it goes from 0 to 4/],
    ['x[0]', [10], 1, /^rows of this dataset are single values \(it is 1-D\): write x, not x\[0\]$/],
    ['x + 1', ROWS_2, 1, /^x is a row of 2 columns here: take one value with x\[0\], or reduce it, e\.g\. sum\(x\) or max\(x\)$/],
    ['x[0]', [], 0, /^this dataset is a single value \(a scalar\): an expression needs rows$/],
  ];
  for (const [text, shape, position, message] of cases) {
    it(`${JSON.stringify(text)} on rows of [${shape.slice(1)}]`, () => {
      const result = validate(text, shape, 'f4');
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect({ position: result.position, message: result.message }).toEqual({ position, message: expect.stringMatching(message) });
    });
  }

  it('a text over the length limit, at the first character past it', () => {
    const text = `${'x[0] + '.repeat(200)}x[1]`;
    expect(text.length).toBeGreaterThan(MAX_LENGTH);
    expect(validate(text, ROWS_2, 'f4')).toEqual({ ok: false, position: MAX_LENGTH + 1, message: `the expression is ${text.length} characters long; at most ${MAX_LENGTH} are allowed` });
  });

  it(`nesting deeper than ${MAX_DEPTH} levels, at the level that is too deep; a long flat sum is not deep`, () => {
    const deep = `${'sqrt('.repeat(MAX_DEPTH + 1)}x[0]${')'.repeat(MAX_DEPTH + 1)}`;
    const result = validate(deep, ROWS_2, 'f4');
    expect(result).toMatchObject({ ok: false, message: `the expression nests deeper than ${MAX_DEPTH} levels: simplify it` });
    const flat = Array.from({ length: 120 }, (_, k) => `x[${k % 2}]`).join(' + ');
    expect(validate(flat, ROWS_2, 'f4')).toEqual({ ok: true, outputType: 'float32', elementsPerRow: 2 });
    const parens = `${'('.repeat(400)}x[0]${')'.repeat(400)}`;
    expect(validate(parens, ROWS_2, 'f4')).toMatchObject({ ok: true });
    expect(validate(`${'-'.repeat(900)}x[0]`, ROWS_2, 'f4')).toMatchObject({ ok: false, message: `the expression nests deeper than ${MAX_DEPTH} levels: simplify it` });
  });

  it('a dataset of compound, string or unknown elements, with no position in the text', () => {
    for (const dtype of ['compound', 'string', 'enum', 'bool']) {
      expect(validate('x[0]', ROWS_2, dtype)).toEqual({ ok: false, position: 0, message: `expressions apply to datasets of numbers (integers or floats); this one holds ${dtype}` });
      expect(acceptsDataset(ROWS_2, dtype)).toMatch(/^expressions apply to datasets of numbers/);
    }
    expect(acceptsDataset(ROWS_2, 'f4')).toBeNull();
    expect(acceptsDataset(ROWS_2, '>i2')).toBeNull();
    expect(acceptsDataset(ROWS_2, { numpy: '<f8', description: '64-bit float, little-endian' })).toBeNull();
    expect(acceptsDataset(ROWS_2, { numpy: '|S8', description: 'fixed-length ASCII string of 8 bytes' })).toBe('expressions apply to datasets of numbers (integers or floats); this one holds fixed-length ASCII string of 8 bytes');
    expect(acceptsDataset(ROWS_2, { description: 'compound of 3 members' })).toMatch(/this one holds compound of 3 members$/);
    expect(acceptsDataset([10, 4, 5], 'uint16')).toBeNull();
    expect(acceptsDataset([], 'f8')).toMatch(/scalar/);
  });

  it('compileExpression throws ExpressionRefused, whose message is the CLI line\'s', () => {
    expect(() => compileExpression('x[7]', ROWS_2, 'f8')).toThrow(ExpressionRefused);
    expect(() => compileExpression('x[7]', ROWS_2, 'f8')).toThrow('at character 3: column 7 is out of range for this dataset');
    const refusal = validate('x[7]', ROWS_2, 'f8');
    expect(refusal.ok).toBe(false);
    if (!refusal.ok) {
      expect(describeRefusal('x[7]', refusal)).toBe('expression "x[7]" at character 3: column 7 is out of range for this dataset: it goes from 0 to 1 (or -2 to -1 from the end)');
    }
  });
});

describe('accepted expressions', () => {
  it('the issue\'s examples on N×3 float32 rows, and both spellings of the logic operators', () => {
    for (const text of ['sqrt(x[0]**2 + x[1]**2)', 'hypot(x[0] - 0.5, x[1] - 0.5)', 'x[2] / x[0]', 'count(x > 1000)', 'max(x) - min(x)',
      '(x[0] > 0) and not (x[1] > 0) or x[2] == 1', '(x[0] > 0) && !(x[1] > 0) || x[2] == 1', '(-x[0]) ** 2', '-(x[0] ** 2)', '(0 < x[0]) == (x[1] < 1)',
      'x[-1] + i', 'where(x[0] > x[1], x[0], x[1])', 'sum(x**2) / mean(x) + 1e3 + .5 + 2.5e-3']) {
      expect({ text, result: validate(text, [100, 3], 'f4') }).toEqual({ text, result: { ok: true, outputType: 'float32', elementsPerRow: 3 } });
    }
  });

  it('the output type follows the norm kernel: float32 for f2, f4 and 8/16-bit integers, float64 otherwise', () => {
    const types = Object.fromEntries(['f2', 'f4', 'f8', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8'].map((kind) => [kind, compileExpression('x[0]', ROWS_2, kind).outputType]));
    expect(types).toEqual({ f2: 'float32', f4: 'float32', f8: 'float64', i1: 'float32', u1: 'float32', i2: 'float32', u2: 'float32', i4: 'float64', u4: 'float64', i8: 'float64', u8: 'float64' });
  });

  it('a caller may choose the output type: i beyond 2^24 rows stays exact in float64', () => {
    const rows = 2 ** 24 + 3;
    const values = new Float32Array(2);
    const rule = compileExpression('i', [rows, 1], 'f4');
    const chosen = compileExpression('i', [rows, 1], 'f4', { outputType: 'float64' });
    expect([rule.outputType, chosen.outputType]).toEqual(['float32', 'float64']);
    const out32 = new Float32Array(1);
    const out64 = new Float64Array(1);
    rule.runBlock(values, 1, 2 ** 24 + 1, out32);
    chosen.runBlock(values, 1, 2 ** 24 + 1, out64);
    expect([out32[0], out64[0]]).toEqual([2 ** 24, 2 ** 24 + 1]);
  });

  it('parseExprOption checks the grammar before any dataset is known', () => {
    expect(parseExprOption('sqrt(x[0]**2 + x[1]**2)')).toEqual({ kernel: 'expr', expression: 'sqrt(x[0]**2 + x[1]**2)' });
    expect(parseExprOption('x[99]')).toEqual({ kernel: 'expr', expression: 'x[99]' });
    expect(() => parseExprOption('process.exit(1)')).toThrow('at character 1: only the listed functions can be called, by name, e.g. sqrt(x[0])');
    expect(() => parseExprOption('constructor.constructor("return process")()')).toThrow(ExpressionRefused);
  });
});

describe('validation generates no code', () => {
  it('validate and acceptsDataset work where code generation is forbidden (the renderer\'s Content-Security-Policy)', () => {
    vi.stubGlobal('Function', function forbidden() {
      throw new EvalError('code generation is forbidden here');
    });
    try {
      expect(validate('sqrt(x[0]**2 + x[1]**2) + count(x > 1000)', ROWS_2, 'f4')).toEqual({ ok: true, outputType: 'float32', elementsPerRow: 2 });
      expect(validate('x[5]', ROWS_2, 'f4')).toMatchObject({ ok: false, position: 3 });
      expect(() => compileExpression('x[0]', ROWS_2, 'f4')).toThrow(EvalError);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('preview: the first results on the first rows', () => {
  it('at most 10 values, rounded to the output type, with i the dataset row', () => {
    const values = new Float32Array(Array.from({ length: 40 }, (_, k) => k / 3));
    const result = preview('x[1] / x[0] + i', { values, shape: [20, 2], dtype: 'f4', firstRow: 100 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.outputType).toBe('float32');
    expect(result.values).toHaveLength(10);
    expect(result.values).toEqual(Array.from({ length: 10 }, (_, r) => Math.fround(values[2 * r + 1] / values[2 * r] + 100 + r)));
    expect(result.values[0]).toBe(Infinity);
    expect(result.nonFinite).toEqual({ nan: 0, posInf: 1, negInf: 0 });
  });

  it('fewer rows than 10 give fewer values; NaN is counted; a refusal is returned, not thrown', () => {
    const result = preview('x[0] / x[1]', { values: new Float64Array([0, 0, 1, 2, 3, 0]), shape: [3, 2], dtype: 'f8' });
    expect(result).toEqual({ ok: true, values: [NaN, 0.5, Infinity], outputType: 'float64', nonFinite: { nan: 1, posInf: 1, negInf: 0 } });
    const big = preview('x[0] - x[1]', { values: new BigInt64Array([2n ** 62n, 1n, -5n, 2n]), shape: [2, 2], dtype: 'i8' });
    expect(big).toEqual({ ok: true, values: [2 ** 62, -7], outputType: 'float64', nonFinite: { nan: 0, posInf: 0, negInf: 0 } });
    expect(preview('x[0] +', { values: new Float64Array(4), shape: [2, 2], dtype: 'f8' })).toEqual({ ok: false, position: 7, message: 'a value is missing after "+"' });
  });
});

describe('--expr on a command line, and the run report of NaN and ±Inf', () => {
  it('a bad expression is one usage line with the character and the reason; a good one is the checked option', async () => {
    const { Command } = await import('commander');
    const { exprOption, EXPR_OPTION_HELP } = await import('../src/main/cli/exprOption');
    const parse = (args: string[]) => {
      let said = '';
      const command = new Command().exitOverride().configureOutput({ writeErr: (text) => { said += text; } })
        .option('--expr <text>', EXPR_OPTION_HELP, exprOption);
      try {
        command.parse(['node', 'h5blocks', ...args]);
      } catch {
        return { said };
      }
      return { options: command.opts() };
    };
    expect(parse(['--expr', 'sqrt(x[0]**2 + x[1]**2)'])).toEqual({ options: { expr: { kernel: 'expr', expression: 'sqrt(x[0]**2 + x[1]**2)' } } });
    const refused = parse(['--expr', 'x[0] + foo']);
    expect(refused.said).toBe(`error: option '--expr <text>' argument 'x[0] + foo' is invalid. at character 8: unknown name "foo": only x (the row), i (its index) and the listed functions exist\n`);
  });

  it('NaN and ±Inf are counted per block and said in one sentence after the run', () => {
    const kernel = compileExpression('x[1] / x[0]', [4, 2], 'f8');
    const out = new Float64Array(4);
    const first = kernel.runBlock(new Float64Array([0, 0, 0, 1]), 2, 0, out);
    const second = kernel.runBlock(new Float64Array([0, -1, 2, 1]), 2, 2, out);
    const total = addNonFinite(first, second);
    expect(total).toEqual({ nan: 1, posInf: 1, negInf: 1 });
    expect(nonFiniteSentence(total, '/ratio')).toBe('1 NaN, 1 Inf and 1 -Inf values in /ratio (e.g. a division by zero, the log of 0, or a NaN in the input); written as they are');
    expect(nonFiniteSentence({ nan: 3, posInf: 1, negInf: 0 }, '/ratio')).toMatch(/^3 NaN and 1 Inf values in \/ratio /);
    expect(nonFiniteSentence({ nan: 0, posInf: 0, negInf: 1 }, '/ratio')).toMatch(/^1 -Inf value in \/ratio /);
    expect(nonFiniteSentence({ nan: 0, posInf: 0, negInf: 0 }, '/ratio')).toBeNull();
  });

  it('a float32 output counts what it holds: values past float32\'s range are ±Inf there, values just below are not', () => {
    const largest = 3.4028234663852886e38;
    const values = new Float64Array([largest, largest + 1e31, largest + 1.02e31, -(largest + 1.02e31), 2 ** 128, 1e300, NaN, -Infinity, 1, -largest]);
    const kernel = compileExpression('x', [values.length], 'f8', { outputType: 'float32' });
    const out = new Float32Array(values.length);
    const counts = kernel.runBlock(values, values.length, 0, out);
    expect(Array.from(out)).toEqual([largest, largest, Infinity, -Infinity, Infinity, Infinity, NaN, -Infinity, 1, -largest]);
    expect(counts).toEqual({ nan: 1, posInf: 3, negInf: 2 });
  });
});
