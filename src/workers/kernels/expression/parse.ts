// Reads expression text into jsep's syntax tree, and finds where each node is in
// the text. jsep parses JavaScript-like expressions; it never evaluates them. What
// it accepts is wider than the expression language (strings, member access, `this`,
// `?:` …): grammar.ts refuses all of that; this module only reads.
import jsep from 'jsep';
import { ExpressionRefused } from './refusal';

export const MAX_LENGTH = 1000;

// Python spellings beside JavaScript's: `and`/`or` bind like `&&`/`||`, `not` like `!`.
jsep.addBinaryOp('and', 2);
jsep.addBinaryOp('or', 1);
jsep.addUnaryOp('not');

/** `x[i, j]`: an index list in brackets, which jsep's member access does not read. */
export interface IndexExpression extends jsep.Expression {
  type: 'IndexExpression';
  object: jsep.Expression;
  indices: jsep.Expression[];
}

const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

jsep.hooks.add('gobble-token', function readIndexList(env) {
  // env.context is jsep's parser: an identifier directly followed by `[` becomes one
  // IndexExpression whose indices jsep reads as it reads call arguments.
  const parser = (env as unknown as { context: JsepParser }).context;
  const start = parser.index;
  if (!(jsep as unknown as { isIdentifierStart(code: number): boolean }).isIdentifierStart(parser.code)) return;
  const object = parser.gobbleIdentifier();
  parser.gobbleSpaces();
  if (parser.code !== OPEN_BRACKET) {
    parser.index = start;
    return;
  }
  parser.index++;
  const indices = parser.gobbleArguments(CLOSE_BRACKET);
  if (indices.includes(null)) {
    // jsep reads `x[, 1]` as an index list with a hole; say where the missing index is.
    const hole = /[[,]\s*(?=[,\]])/g;
    hole.lastIndex = start;
    const found = hole.exec(parser.expr);
    throw new ExpressionRefused((found ? found.index + found[0].length : parser.index) + 1, 'an index is missing here: write x[0, 1]');
  }
  const node: IndexExpression = { type: 'IndexExpression', object, indices: indices as jsep.Expression[] };
  env.node = parser.gobbleTokenProperty(node);
});

interface JsepParser {
  index: number;
  readonly expr: string;
  readonly code: number;
  gobbleIdentifier(): jsep.Expression;
  gobbleSpaces(): void;
  gobbleArguments(termination: number): (jsep.Expression | null)[];
  gobbleTokenProperty(node: jsep.Expression): jsep.Expression;
}

export interface Span {
  /** 0-based index of the node's first character. */
  start: number;
  /** 0-based index just past its last character. */
  end: number;
  /** For operators and calls: where the operator or the function's name is. */
  at: number;
}

export interface ParsedText {
  text: string;
  root: jsep.Expression;
  span(node: jsep.Expression): Span;
  /** Whether the node is written inside its own parentheses, e.g. `(-x) ** 2`. */
  parenthesized(node: jsep.Expression): boolean;
}

export function parseText(text: string): ParsedText {
  if (text.length > MAX_LENGTH) {
    throw new ExpressionRefused(MAX_LENGTH + 1, `the expression is ${text.length} characters long; at most ${MAX_LENGTH} are allowed`);
  }
  if (text.trim() === '') throw new ExpressionRefused(1, 'the expression is empty: write one value per row, e.g. sqrt(x[0]**2 + x[1]**2)');
  let root: jsep.Expression;
  try {
    root = jsep(text);
  } catch (error) {
    if (error instanceof ExpressionRefused) throw error;
    throw syntaxRefusal(text, error);
  }
  const spans = locate(text, root);
  return {
    text,
    root,
    span: (node) => spans.get(node)!,
    parenthesized(node) {
      const { start, end } = spans.get(node)!;
      let before = start - 1;
      while (before >= 0 && /\s/.test(text[before])) before--;
      let after = end;
      while (after < text.length && /\s/.test(text[after])) after++;
      return text[before] === '(' && text[after] === ')';
    },
  };
}

/** jsep's messages, said plainly, at the character jsep stopped at. */
function syntaxRefusal(text: string, error: unknown): ExpressionRefused {
  if (error instanceof RangeError) return new ExpressionRefused(1, 'the expression nests too deeply to read');
  const { index, description } = error as { index?: number; description?: string };
  const at = typeof index === 'number' ? Math.min(index, text.length) : 0;
  const position = at + 1;
  const found = at < text.length ? `"${text[at]}"` : 'the end';
  if (/^Unclosed quote/.test(description ?? '')) {
    const opening = Math.max(text.lastIndexOf('"', at), text.lastIndexOf("'", at));
    return new ExpressionRefused(opening + 1, 'text in quotes is not part of the language (and this quote is not closed)');
  }
  const said = description ?? String(error);
  let message: string;
  if (/^Unclosed \[/.test(said) || /^Expected \]/.test(said)) message = 'a "[" is not closed by "]"';
  else if (/^Unclosed \(/.test(said) || /^Expected \)/.test(said)) message = 'a "(" is not closed by ")"';
  else if (/^Unclosed quote/.test(said)) message = 'text in quotes is not part of the language (and this quote is not closed)';
  else if (/^Expected expression after (.+)$/.test(said)) message = `a value is missing after "${/^Expected expression after (.+)$/.exec(said)![1]}"`;
  else if (/^missing unaryOp argument/.test(said)) message = 'a value is missing after this operator';
  else if (/^Expected exponent/.test(said)) message = 'a number\'s exponent is missing (e.g. 1e3)';
  else if (/^Variable names cannot start with a number/.test(said)) message = 'a number is directly followed by letters (hexadecimal and suffixes are not numbers here)';
  else if (/^Expected comma/.test(said) || /^Unexpected token ,/.test(said)) message = 'a value or a "," is misplaced in this list';
  else message = `${found} is not expected here`;
  return new ExpressionRefused(position, message);
}

// jsep keeps no positions, but its tree lists the tokens in the order they are
// written (left, operator, right; function, arguments …), and only brackets,
// commas, dots and spaces lie between two tokens: walking the tree in that order,
// each token is the next occurrence of its text.
function locate(text: string, root: jsep.Expression): Map<jsep.Expression, Span> {
  const spans = new Map<jsep.Expression, Span>();
  let cursor = 0;
  const token = (written: string): number => {
    const found = text.indexOf(written, cursor);
    const at = found < 0 ? cursor : found;
    cursor = at + written.length;
    return at;
  };
  // A call's or an index list's node ends at its closing bracket, found by counting brackets.
  const closeFrom = (from: number, open: string, close: string) => {
    const opening = text.indexOf(open, from);
    if (opening < 0) return;
    let depth = 0;
    for (let k = opening; k < text.length; k++) {
      if (text[k] === open) depth++;
      else if (text[k] === close && --depth === 0) {
        cursor = Math.max(cursor, k + 1);
        return;
      }
    }
  };
  const visit = (node: jsep.Expression): Span => {
    let start: number;
    let at: number;
    const n = node as Record<string, any>;
    switch (node.type) {
      case 'Literal':
        start = at = token(String(n.raw));
        break;
      case 'Identifier':
        start = at = token(String(n.name));
        break;
      case 'ThisExpression':
        start = at = token('this');
        break;
      case 'BinaryExpression':
        start = visit(n.left).start;
        at = token(String(n.operator));
        visit(n.right);
        break;
      case 'UnaryExpression':
        start = at = token(String(n.operator));
        visit(n.argument);
        break;
      case 'CallExpression':
        ({ start, at } = visit(n.callee));
        for (const argument of n.arguments) visit(argument);
        closeFrom(spans.get(n.callee)!.end, '(', ')');
        break;
      case 'MemberExpression':
        ({ start, at } = visit(n.object));
        if (!n.computed) token('.');
        at = visit(n.property).start;
        break;
      case 'IndexExpression':
        ({ start, at } = visit(n.object));
        for (const index of n.indices) visit(index);
        closeFrom(spans.get(n.object)!.end, '[', ']');
        break;
      case 'ConditionalExpression':
        start = visit(n.test).start;
        at = token('?');
        visit(n.consequent);
        visit(n.alternate);
        break;
      case 'ArrayExpression':
        start = at = token('[');
        for (const element of n.elements) if (element) visit(element);
        break;
      case 'Compound':
      case 'SequenceExpression': {
        const items: jsep.Expression[] = n.body ?? n.expressions;
        start = at = cursor;
        items.forEach((item, k) => {
          const span = visit(item);
          if (k === 0) start = span.start;
          if (k === 1) at = span.start;
        });
        break;
      }
      default:
        start = at = cursor;
        for (const value of Object.values(n)) {
          if (value && typeof value === 'object' && typeof value.type === 'string') visit(value);
        }
    }
    const span = { start, end: Math.max(cursor, start), at };
    spans.set(node, span);
    return span;
  };
  visit(root);
  return spans;
}
