// How an expression is refused: where (1-based character) and why, in one plain
// sentence. Every check of the expression language throws this and nothing else,
// so callers can tell a refusal from a bug.

export interface Refusal {
  ok: false;
  /** 1-based character of the text the problem is at; 0 when the dataset, not the text, is the problem. */
  position: number;
  message: string;
}

export class ExpressionRefused extends Error {
  constructor(
    /** 1-based; 0 when the problem is not at one place of the text (e.g. the dataset's type). */
    readonly position: number,
    readonly reason: string,
  ) {
    super(position > 0 ? `at character ${position}: ${reason}` : reason);
    this.name = 'ExpressionRefused';
  }

  toRefusal(): Refusal {
    return { ok: false, position: this.position, message: this.reason };
  }
}

/** One line for the CLI or a log: the expression, where, and why. */
export function describeRefusal(text: string, refusal: Pick<Refusal, 'position' | 'message'>): string {
  const where = refusal.position > 0 ? ` at character ${refusal.position}` : '';
  return `expression ${JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)}${where}: ${refusal.message}`;
}
