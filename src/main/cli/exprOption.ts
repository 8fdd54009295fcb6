// `--expr TEXT` for `h5blocks run`: the expression checked against the grammar
// while the command line is read, so a bad one is one usage line before any file
// is opened. Its rows (column ranges, frames) are checked once the dataset is open.
import { InvalidArgumentError } from 'commander';
import { ExpressionRefused, parseExprOption, type ExprOption } from '../../workers/kernels/expression';

export const EXPR_OPTION_HELP = "one value per row from an expression over x (the row; x[0] its first column) and i (its index), e.g. 'sqrt(x[0]**2 + x[1]**2)'";

/** commander's argument parser for `--expr`: refusals become InvalidArgumentError with the character and the reason. */
export function exprOption(text: string): ExprOption {
  try {
    return parseExprOption(text);
  } catch (error) {
    if (error instanceof ExpressionRefused) throw new InvalidArgumentError(error.message);
    throw error;
  }
}
