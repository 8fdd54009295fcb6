// Seeded fuzz of the expression language. (1) Thousands of random strings, made
// of the language's tokens, JavaScript that must never run, and random
// characters: validation gives ok or a refusal with a position inside the text,
// never an exception; whatever is accepted compiles and runs on a block. (2)
// Hundreds of random well-formed expressions of exact operations: the
// JavaScript kernel and its numpy twin agree on every row, zeros' signs included.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NUMPY_PRELUDE } from '../src/workers/kernels/expression/compileNumpy';
import { compileExpression, validate } from '../src/workers/kernels/expression';
import { NUMPY_DTYPE, makeBlock, seededRandom } from './support/expressionData';
import { makeTempFolder, removeTempFolders } from './support/files';
import { typedView } from './support/floats';
import { projectRoot, systemPython } from './support/paths';

const run = promisify(execFile);

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('expression-fuzz');
});
afterAll(() => removeTempFolders());

const TOKENS = [
  'x', 'i', 'x[0]', 'x[1]', 'x[2]', 'x[-1]', 'x[0, 1]', 'x[1, 1]', 'x[', 'x[,', ',,', ', ]', '[', ']', '(', ')', ',', ' ', ' ', '+', '-', '*', '/', '%', '**', '^',
  '<', '<=', '>', '>=', '==', '!=', '===', '!', '&&', '||', 'and', 'or', 'not', '?', ':', ';', '.', '=', '=>', '{', '}',
  '0', '1', '2', '0.5', '1e3', '1e308', '.5', '7', 'sqrt(', 'abs(', 'exp(', 'log(', 'hypot(', 'atan2(', 'min(', 'max(', 'sum(', 'mean(',
  'count(', 'where(', 'round(', 'sign(', 'foo', 'constructor', '__proto__', 'this', 'process', 'globalThis', 'eval(', 'Function(',
  'return', 'new ', '"', "'", '`', '\\', '#', '@', '$', '\n', '\t', 'é', '\u2028', '\u0000', '😀',
];

function mutate(text: string, random: () => number): string {
  let result = text;
  const edits = 1 + Math.floor(random() * 3);
  for (let k = 0; k < edits; k++) {
    const at = Math.floor(random() * (result.length + 1));
    const piece = random() < 0.5 ? TOKENS[Math.floor(random() * TOKENS.length)] : '';
    const cut = random() < 0.6 ? 1 + Math.floor(random() * 3) : 0;
    result = result.slice(0, at) + piece + result.slice(at + cut);
  }
  return result;
}

function randomText(random: () => number): string {
  const pieces: string[] = [];
  const count = 1 + Math.floor(random() * 24);
  for (let k = 0; k < count; k++) {
    pieces.push(random() < 0.1 ? String.fromCharCode(Math.floor(random() * 0x3000)) : TOKENS[Math.floor(random() * TOKENS.length)]);
  }
  return pieces.join('');
}

describe('random strings: a refusal or a working kernel, never an exception', () => {
  it('5,000 seeded strings (token soup and mutated expressions) against rows of 3 columns, frames of 2 × 2 and single values', () => {
    const random = seededRandom(2026);
    const shapes = [[4, 3], [4, 2, 2], [4]];
    const values = new Float64Array([1, -2, 3.5, NaN, Infinity, -0, 0, 1e308, -1e-308, 7, 1000, 1001, 2, 3, 4, 5]);
    let accepted = 0;
    const problems: unknown[] = [];
    for (let n = 0; n < 5000; n++) {
      // Half are token soup; half are well-formed expressions with a few characters changed.
      const text = n % 2 === 0 ? randomText(random) : mutate(randomExpression(random, 3, false), random);
      for (const shape of shapes) {
        try {
          const result = validate(text, shape, 'f8');
          if (!result.ok) {
            if (!(Number.isInteger(result.position) && result.position >= 1 && result.position <= text.length + 1) || result.message.length === 0) {
              problems.push({ text, shape, result });
            }
            continue;
          }
          accepted++;
          const kernel = compileExpression(text, shape, 'f8');
          const out = new Float64Array(4);
          kernel.runBlock(values, 4, 0, out);
        } catch (error) {
          problems.push({ text, shape, error: String(error) });
        }
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // The fuzz reaches the compiler too, not only refusals.
    expect(accepted).toBeGreaterThan(500);
  });

  it('JavaScript that would escape the language is refused, and no generated source names anything but x, i and Math', () => {
    for (const text of [
      'constructor', 'x.constructor', 'x[0].constructor("return process")()', 'sqrt.constructor', 'process.exit(1)', 'globalThis',
      'eval("1")', 'Function("return 1")()', '(() => 1)()', 'x[0] = 1', 'this.x', 'new Date()', '`${1}`', '__proto__', 'x["length"]',
      'sqrt["call"](1)', 'sum.apply(0)', 'require("fs")', 'import("fs")', 'x[0]; process', 'toString()', 'valueOf(x)',
    ]) {
      expect({ text, ok: validate(text, [10, 2], 'f8').ok }).toEqual({ text, ok: false });
    }
    const kernel = compileExpression('where(x[0] > 1, sqrt(abs(x[1])), -i) + count(x != 0) + round(x[-1] ** 3)', [10, 2], 'f8');
    const names = new Set(kernel.jsSource.match(/[A-Za-z_$][\w$]*/g));
    const allowed = new Set(['use', 'strict', 'return', 'function', 'expressionBlock', 'v', 'rows', 'firstRow', 'out', 'const', 'let', 'for', 'r', 'b', 'E',
      'i', 'nan', 'posInf', 'negInf', 'y', 'if', 'else', 'k', 'end', 'e', 'Math', 'sqrt', 'abs', 'H', 'pow', 'round', 'Infinity', 'NaN', 'max', 'min']);
    const unexpected = [...names].filter((name) => !allowed.has(name) && !/^[ta]\d+$/.test(name));
    expect(unexpected).toEqual([]);
  });
});

// Well-formed expressions of IEEE-exact operations only, every operation in parentheses.
function randomExpression(random: () => number, depth: number, inReduction: boolean): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  if (depth <= 0 || random() < 0.2) {
    const leaves = ['0', '1', '2', '0.5', '1000', '7', '1e300', '1e-300', '3', 'i'];
    return random() < 0.6 ? (inReduction ? 'x' : `x[${pick([0, 1, 2, -1])}]`) : pick(leaves);
  }
  const sub = () => randomExpression(random, depth - 1, inReduction);
  switch (Math.floor(random() * 9)) {
    case 0: return `(${sub()} ${pick(['+', '-', '*', '/', '%'])} ${sub()})`;
    case 1: return `(${sub()} ${pick(['<', '<=', '>', '>=', '==', '!='])} ${sub()})`;
    case 2: return `(${sub()} ${pick(['and', 'or', '&&', '||'])} ${sub()})`;
    case 3: return `${pick(['-', 'not ', '!'])}(${sub()})`;
    case 4: return `where(${sub()}, ${sub()}, ${sub()})`;
    case 5: return `${pick(['abs', 'floor', 'ceil', 'trunc', 'round', 'sign', 'sqrt'])}(${sub()})`;
    case 6: return `${pick(['hypot', 'min', 'max'])}(${sub()}, ${sub()})`;
    case 7: return `(${sub()} ** 2)`;
    default:
      if (inReduction) return `sqrt((${sub()}) ** 2 + (${sub()}) ** 2)`;
      return `${pick(['sum', 'mean', 'count', 'min', 'max'])}(x ${pick(['+', '*', '-', '<', '/'])} ${randomExpression(random, depth - 1, true)})`;
  }
}

describe('random well-formed expressions: JavaScript and numpy agree to the bit', () => {
  it('300 seeded expressions on float64 and float32 rows of 3 columns with NaN, ±Inf, ±0 and extremes', async () => {
    const random = seededRandom(99);
    const ROWS = 200;
    const cases: { text: string; kind: 'f4' | 'f8'; output: string; outputType: string; source: string; input: string; values: ArrayLike<number> }[] = [];
    const blocks = (['f4', 'f8'] as const).map((kind) => {
      const block = makeBlock(kind, ROWS * 3, kind === 'f4' ? 5 : 6);
      const input = join(folder, `fuzz-${kind}.bin`);
      writeFileSync(input, block.bytes);
      return { kind, block, input };
    });
    for (let n = 0; n < 300; n++) {
      const text = randomExpression(random, 4, false);
      const { kind, block, input } = blocks[n % 2];
      const checked = validate(text, [ROWS, 3], kind);
      expect({ text, checked: checked.ok }).toEqual({ text, checked: true });
      const kernel = compileExpression(text, [ROWS, 3], kind);
      cases.push({ text, kind, output: join(folder, `fuzz-${n}.out`), outputType: kernel.outputType, source: kernel.numpy.source, input, values: block.values });
    }
    const manifest = join(folder, 'fuzz.json');
    writeFileSync(manifest, JSON.stringify({
      prelude: NUMPY_PRELUDE,
      cases: cases.map(({ kind, output, outputType, source, input }) => ({ input, output, dtype: NUMPY_DTYPE[kind], shape: [ROWS, 3], firstRow: 17, outputType, source })),
    }));
    await run(systemPython, [join(projectRoot, 'test/support/expression_numpy.py'), manifest], { maxBuffer: 16 * 2 ** 20 });
    const failures: unknown[] = [];
    for (const { text, kind, output, outputType, values } of cases) {
      const kernel = compileExpression(text, [ROWS, 3], kind);
      const ours = outputType === 'float32' ? new Float32Array(ROWS) : new Float64Array(ROWS);
      kernel.runBlock(values, ROWS, 17, ours);
      const theirs = typedView(new Uint8Array(readFileSync(output)), kernel.outputType);
      const differing = [...ours.keys()].filter((r) => !((Number.isNaN(ours[r]) && Number.isNaN(theirs[r])) || Object.is(ours[r], theirs[r])));
      if (differing.length) failures.push({ text, kind, rows: differing.length, first: differing.slice(0, 2).map((r) => ({ row: r, js: ours[r], numpy: theirs[r] })) });
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
