// The closed grammar of expressions: jsep's tree is checked node by node and
// rebuilt as the language's own tree (Expr). Only what is listed here exists:
// `x`, `i`, numbers, the operators below and the functions of FUNCTIONS. Anything
// else is refused with its position, so nothing outside the row and its index is
// reachable, whatever the text says.
import type jsep from 'jsep';
import { parseText, type ParsedText } from './parse';
import { ExpressionRefused } from './refusal';

export const MAX_DEPTH = 64;

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | '**';
export type ComparisonOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type LogicOp = 'and' | 'or';

/** Functions of one value, elementwise. */
export const FUNCTIONS_1 = [
  'sqrt', 'abs', 'exp', 'log', 'log1p', 'log10', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'tanh', 'floor', 'ceil', 'round', 'trunc', 'sign',
] as const;
/** Functions of two values, elementwise (`min`/`max` of one argument are reductions). */
export const FUNCTIONS_2 = ['atan2', 'hypot', 'min', 'max'] as const;
/** Reductions over the elements of the row or frame: their argument is written in `x`, each element. */
export const REDUCTIONS = ['sum', 'mean', 'min', 'max', 'count'] as const;

export type Function1 = (typeof FUNCTIONS_1)[number];
export type Function2 = (typeof FUNCTIONS_2)[number];
export type Reduction = (typeof REDUCTIONS)[number];

/** `at` is the 0-based character the node is written at (an operator's own character for operators). */
export type Expr =
  | { kind: 'number'; value: number; at: number }
  | { kind: 'rowIndex'; at: number }
  /** Bare `x`: each element inside a reduction; the row's one value when rows are single values. */
  | { kind: 'row'; at: number }
  /** `x[a]`, `x[a, b]`: written indices (negative from the end); `offset` once bound to a row shape. */
  | { kind: 'element'; indices: number[]; indexAt: number[]; offset?: number; at: number }
  | { kind: 'negate'; arg: Expr; at: number }
  | { kind: 'not'; arg: Expr; at: number }
  | { kind: 'arithmetic'; op: ArithmeticOp; left: Expr; right: Expr; at: number }
  | { kind: 'comparison'; op: ComparisonOp; left: Expr; right: Expr; at: number }
  | { kind: 'logic'; op: LogicOp; left: Expr; right: Expr; at: number }
  | { kind: 'where'; cond: Expr; then: Expr; otherwise: Expr; at: number }
  | { kind: 'call1'; fn: Function1; arg: Expr; at: number }
  | { kind: 'call2'; fn: Function2; a: Expr; b: Expr; at: number }
  | { kind: 'reduce'; fn: Reduction; body: Expr; at: number }
  /** sqrt of a sum of squares, computed as the norm kernel does (see fuseNorms). `terms` null: over the whole row. */
  | { kind: 'norm'; terms: Expr[] | null; at: number };

export interface CheckedExpression {
  text: string;
  tree: Expr;
}

const ARITHMETIC = new Set<string>(['+', '-', '*', '/', '%', '**']);
const COMPARISON = new Set<string>(['<', '<=', '>', '>=', '==', '!=']);
const LOGIC: Record<string, LogicOp> = { and: 'and', '&&': 'and', or: 'or', '||': 'or' };
const WHAT_INSTEAD: Record<string, string> = {
  '^': '"^" is not a power here: write x ** 2',
  '===': 'write == to compare',
  '!==': 'write != to compare',
  '??': '"??" is not part of the language',
  '|': 'bitwise "|" is not part of the language: write or',
  '&': 'bitwise "&" is not part of the language: write and',
  '~': 'bitwise "~" is not part of the language: write not',
  '<<': 'shifts are not part of the language', '>>': 'shifts are not part of the language', '>>>': 'shifts are not part of the language',
};

/** Reads and checks `text` against the grammar; throws ExpressionRefused. Dataset-independent. */
export function checkExpression(text: string): CheckedExpression {
  const parsed = parseText(text);
  const tree = new GrammarCheck(parsed).expression(parsed.root, 1, false);
  return { text, tree: fuseNorms(tree) };
}

class GrammarCheck {
  constructor(private readonly parsed: ParsedText) {}

  private refuse(node: jsep.Expression, message: string, where: 'start' | 'at' = 'at'): never {
    const span = this.parsed.span(node);
    throw new ExpressionRefused((where === 'start' ? span.start : span.at) + 1, message);
  }

  /** `depth` counts nesting, except along a chain of one precedence (`a + b - c + …` is one level). */
  expression(node: jsep.Expression, depth: number, inReduction: boolean): Expr {
    if (depth > MAX_DEPTH) this.refuse(node, `the expression nests deeper than ${MAX_DEPTH} levels: simplify it`, 'start');
    const n = node as Record<string, any>;
    const at = this.parsed.span(node).at;
    switch (node.type) {
      case 'Literal':
        if (typeof n.value === 'number') return { kind: 'number', value: n.value, at };
        if (typeof n.value === 'string') this.refuse(node, 'text in quotes is not part of the language: only numbers, x and i');
        return this.refuse(node, `"${n.raw}" is not part of the language: only numbers, x and i (write 1 or 0 for true or false)`);
      case 'Identifier':
        return this.name(node, String(n.name), at);
      case 'IndexExpression':
        return this.element(node as unknown as { object: jsep.Expression; indices: jsep.Expression[] }, at, inReduction);
      case 'UnaryExpression':
        return this.unary(node, String(n.operator), n.argument, depth, inReduction);
      case 'BinaryExpression':
        return this.binary(node, depth, inReduction);
      case 'CallExpression':
        return this.call(node, n.callee, n.arguments, depth, inReduction);
      case 'ConditionalExpression':
        return this.refuse(node, '"? :" is not part of the language: write where(cond, a, b)');
      case 'MemberExpression':
        if (n.computed && n.object.type === 'IndexExpression') this.refuse(n.property, 'write the indices of one element in one pair of brackets, e.g. x[0, 1]', 'start');
        if (n.computed) this.refuse(node, 'only x can be indexed, e.g. x[0]');
        return this.refuse(n.property, `"." is not part of the language: only x, i and the listed functions can be named`, 'start');
      case 'Compound':
        return this.refuse(node, 'write one expression only (a second one starts here)');
      case 'SequenceExpression':
        return this.refuse(node, 'a "," separates function arguments only; a second value starts here');
      case 'ArrayExpression':
        return this.refuse(node, 'a list in brackets is not part of the language: only x can be indexed, e.g. x[0]');
      case 'ThisExpression':
        return this.refuse(node, '"this" is not part of the language: only numbers, x and i');
      default:
        return this.refuse(node, `this is not part of the expression language (${node.type})`, 'start');
    }
  }

  private name(node: jsep.Expression, name: string, at: number): Expr {
    if (name === 'x') return { kind: 'row', at };
    if (name === 'i') return { kind: 'rowIndex', at };
    if (isFunctionName(name)) this.refuse(node, `${name} is a function: call it, e.g. ${name}(${exampleArguments(name)})`);
    return this.refuse(node, `unknown name "${name}": only x (the row), i (its index) and the listed functions exist`);
  }

  private element(node: { object: jsep.Expression; indices: jsep.Expression[] }, at: number, inReduction: boolean): Expr {
    const object = node.object as Record<string, any>;
    const self = node as unknown as jsep.Expression;
    if (object.type !== 'Identifier' || object.name !== 'x') {
      this.refuse(self, `only x can be indexed (x[0] is the first column of the row)`);
    }
    if (inReduction) this.refuse(self, 'inside a reduction x is each element of the row in turn: write sum(x), count(x > 1000); x[...] is not allowed there');
    if (node.indices.length === 0) this.refuse(self, 'an index is missing in x[]: write x[0]');
    const indices: number[] = [];
    const indexAt: number[] = [];
    for (const index of node.indices) {
      const written = index as Record<string, any>;
      let value: unknown = written.value;
      if (written.type === 'UnaryExpression' && written.operator === '-' && written.argument.type === 'Literal') {
        value = typeof written.argument.value === 'number' ? -written.argument.value : undefined;
      } else if (written.type !== 'Literal') value = undefined;
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        if (written.type === 'Identifier' && written.name === 'i') {
          this.refuse(index, 'i is the row index, not a column: write the column as a whole number, e.g. x[0]', 'start');
        }
        this.refuse(index, 'an index must be a whole number written out, e.g. x[0] or x[-1] for the last', 'start');
      }
      indices.push(value);
      indexAt.push(this.parsed.span(index).start);
    }
    return { kind: 'element', indices, indexAt, at };
  }

  private unary(node: jsep.Expression, operator: string, argument: jsep.Expression, depth: number, inReduction: boolean): Expr {
    const at = this.parsed.span(node).at;
    if (operator === '-' || operator === '+') {
      const arg = this.expression(argument, depth + 1, inReduction);
      return operator === '-' ? { kind: 'negate', arg, at } : arg;
    }
    if (operator === '!' || operator === 'not') return { kind: 'not', arg: this.expression(argument, depth + 1, inReduction), at };
    return this.refuse(node, WHAT_INSTEAD[operator] ?? `"${operator}" is not part of the language`);
  }

  private binary(node: jsep.Expression, depth: number, inReduction: boolean): Expr {
    const n = node as Record<string, any>;
    const operator = String(n.operator);
    const at = this.parsed.span(node).at;
    const left = n.left as jsep.Expression;
    const right = n.right as jsep.Expression;
    if (WHAT_INSTEAD[operator]) this.refuse(node, WHAT_INSTEAD[operator]);
    const leftOperator = left.type === 'BinaryExpression' ? String((left as Record<string, any>).operator) : undefined;
    // A left-leaning chain of one precedence (`a + b - c`) is one level deep, so long sums are not "deep".
    const sameLevel = leftOperator !== undefined && precedence(leftOperator) === precedence(operator) && !this.parsed.parenthesized(left);
    const leftDepth = sameLevel ? depth : depth + 1;
    // Python and JavaScript read these differently; neither reading is taken silently.
    if (operator === '**' && left.type === 'UnaryExpression' && !this.parsed.parenthesized(left)) {
      this.refuse(node, `write -(a ** b) or (-a) ** b: the sign before a power is ambiguous`);
    }
    if (left.type === 'UnaryExpression' && ['!', 'not'].includes(String((left as Record<string, any>).operator)) && !LOGIC[operator] && !this.parsed.parenthesized(left)) {
      this.refuse(left, `write not (a ${operator} b) or (not a) ${operator} b: "not" before "${operator}" is ambiguous`, 'start');
    }
    if (COMPARISON.has(operator)) {
      for (const side of [left, right]) {
        const sideOperator = side.type === 'BinaryExpression' ? String((side as Record<string, any>).operator) : '';
        if (COMPARISON.has(sideOperator) && !this.parsed.parenthesized(side)) {
          this.refuse(node, 'comparisons do not chain: write (a < b) and (b < c)');
        }
      }
      return { kind: 'comparison', op: operator as ComparisonOp, left: this.expression(left, leftDepth, inReduction), right: this.expression(right, depth + 1, inReduction), at };
    }
    if (ARITHMETIC.has(operator)) {
      return { kind: 'arithmetic', op: operator as ArithmeticOp, left: this.expression(left, leftDepth, inReduction), right: this.expression(right, depth + 1, inReduction), at };
    }
    if (LOGIC[operator]) {
      return { kind: 'logic', op: LOGIC[operator], left: this.expression(left, leftDepth, inReduction), right: this.expression(right, depth + 1, inReduction), at };
    }
    return this.refuse(node, `"${operator}" is not part of the language`);
  }

  private call(node: jsep.Expression, callee: jsep.Expression, args: jsep.Expression[], depth: number, inReduction: boolean): Expr {
    const c = callee as Record<string, any>;
    if (callee.type !== 'Identifier') this.refuse(node, 'only the listed functions can be called, by name, e.g. sqrt(x[0])', 'start');
    const name = String(c.name);
    const at = this.parsed.span(callee).start;
    const arity = args.length;
    const argument = (k: number, inside = inReduction) => this.expression(args[k], depth + 1, inside);
    if (name === 'where') {
      if (arity !== 3) this.refuse(callee, `where takes 3 values, where(cond, a, b); ${arity} given`);
      return { kind: 'where', cond: argument(0), then: argument(1), otherwise: argument(2), at };
    }
    if ((FUNCTIONS_1 as readonly string[]).includes(name)) {
      if (arity !== 1) this.refuse(callee, `${name} takes 1 value; ${arity} given`);
      return { kind: 'call1', fn: name as Function1, arg: argument(0), at };
    }
    if ((name === 'min' || name === 'max') && arity === 1 || (REDUCTIONS as readonly string[]).includes(name) && name !== 'min' && name !== 'max') {
      if (arity !== 1) this.refuse(callee, `${name} takes 1 value, written in x (each element of the row), e.g. ${name}(${exampleArguments(name)}); ${arity} given`);
      if (inReduction) this.refuse(callee, `${name} reduces the row: it cannot be inside another reduction`);
      const body = argument(0, true);
      if (!usesRow(body)) this.refuse(args[0], `${name}(...) goes over the elements of the row: its argument must use x, e.g. ${name}(${exampleArguments(name)})`, 'start');
      return { kind: 'reduce', fn: name as Reduction, body, at };
    }
    if ((FUNCTIONS_2 as readonly string[]).includes(name)) {
      if (arity !== 2) this.refuse(callee, `${name} takes 2 values; ${arity} given${name === 'min' || name === 'max' ? ` (or 1, ${name}(x), over the row)` : ''}`);
      return { kind: 'call2', fn: name as Function2, a: argument(0), b: argument(1), at };
    }
    if (name === 'x' || name === 'i') this.refuse(callee, `${name} is not a function: write ${name === 'x' ? 'x[0] for a column' : 'i'}`);
    return this.refuse(callee, `unknown function "${name}": the functions are ${[...FUNCTIONS_1, ...FUNCTIONS_2, 'where', ...REDUCTIONS.filter((r) => r !== 'min' && r !== 'max')].join(', ')}`);
  }
}

function precedence(operator: string): number {
  if (operator === '**') return 11;
  if (['*', '/', '%'].includes(operator)) return 10;
  if (['+', '-'].includes(operator)) return 9;
  if (COMPARISON.has(operator)) return operator.endsWith('=') && operator !== '<=' && operator !== '>=' ? 6 : 7;
  if (operator === 'and' || operator === '&&') return 2;
  if (operator === 'or' || operator === '||') return 1;
  return 0;
}

function isFunctionName(name: string): boolean {
  return name === 'where' || (FUNCTIONS_1 as readonly string[]).includes(name) || (FUNCTIONS_2 as readonly string[]).includes(name) || (REDUCTIONS as readonly string[]).includes(name);
}

function exampleArguments(name: string): string {
  if (name === 'count') return 'x > 1000';
  if (name === 'where') return 'x[0] > 0, x[0], 0';
  if ((REDUCTIONS as readonly string[]).includes(name)) return 'x';
  if ((FUNCTIONS_2 as readonly string[]).includes(name)) return 'x[0], x[1]';
  return 'x[0]';
}

/** Whether `expr` reads the row (bare x or an element). */
export function usesRow(expr: Expr): boolean {
  return children(expr).some(usesRow) || expr.kind === 'row' || expr.kind === 'element';
}

export function children(expr: Expr): Expr[] {
  switch (expr.kind) {
    case 'negate': case 'not': case 'call1': return [expr.arg];
    case 'arithmetic': case 'comparison': case 'logic': return [expr.left, expr.right];
    case 'where': return [expr.cond, expr.then, expr.otherwise];
    case 'call2': return [expr.a, expr.b];
    case 'reduce': return [expr.body];
    case 'norm': return expr.terms ?? [];
    default: return [];
  }
}

/**
 * `sqrt(a**2 + b**2 + …)`, `sqrt(sum(x**2))` and `hypot(a, b)` become a norm, computed as the
 * norm kernel does: the sum of squares in order, its sqrt when the sum is safely
 * inside float64's range, otherwise rescaled as hypot (no spurious overflow or
 * underflow; ±Inf beats NaN). So `sqrt(x[0]**2 + x[1]**2)` gives the norm
 * kernel's bits on every row, and the same value as the formula wherever the
 * formula's float64 arithmetic does not overflow.
 */
function fuseNorms(expr: Expr): Expr {
  const rebuilt = mapChildren(expr, fuseNorms);
  // hypot(a, b) is the norm of (a, b): the same bits as sqrt(a**2 + b**2), and a plain sqrt where that is safe.
  if (rebuilt.kind === 'call2' && rebuilt.fn === 'hypot') return { kind: 'norm', terms: [rebuilt.a, rebuilt.b], at: rebuilt.at };
  if (rebuilt.kind !== 'call1' || rebuilt.fn !== 'sqrt') return rebuilt;
  const inner = rebuilt.arg;
  if (inner.kind === 'reduce' && inner.fn === 'sum' && isSquareOf(inner.body, (e) => e.kind === 'row')) {
    return { kind: 'norm', terms: null, at: rebuilt.at };
  }
  const terms: Expr[] = [];
  let sum: Expr = inner;
  while (sum.kind === 'arithmetic' && sum.op === '+' && isSquareOf(sum.right)) {
    terms.unshift((sum.right as Extract<Expr, { kind: 'arithmetic' }>).left);
    sum = sum.left;
  }
  if (!isSquareOf(sum)) return rebuilt;
  terms.unshift((sum as Extract<Expr, { kind: 'arithmetic' }>).left);
  return { kind: 'norm', terms, at: rebuilt.at };
}

function isSquareOf(expr: Expr, base: (e: Expr) => boolean = () => true): boolean {
  return expr.kind === 'arithmetic' && expr.op === '**' && expr.right.kind === 'number' && expr.right.value === 2 && base(expr.left);
}

export function mapChildren(expr: Expr, f: (e: Expr) => Expr): Expr {
  switch (expr.kind) {
    case 'negate': case 'not': case 'call1': return { ...expr, arg: f(expr.arg) };
    case 'arithmetic': case 'comparison': case 'logic': return { ...expr, left: f(expr.left), right: f(expr.right) };
    case 'where': return { ...expr, cond: f(expr.cond), then: f(expr.then), otherwise: f(expr.otherwise) };
    case 'call2': return { ...expr, a: f(expr.a), b: f(expr.b) };
    case 'reduce': return { ...expr, body: f(expr.body) };
    case 'norm': return expr.terms ? { ...expr, terms: expr.terms.map(f) } : expr;
    default: return expr;
  }
}
