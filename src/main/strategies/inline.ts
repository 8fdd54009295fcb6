import { rowNorms } from '../../workers/compute/rowNorm';
import { epochNow } from '../run/clock';
import { span, type StrategyRunner } from './context';

/** The baseline: the main thread reads, computes and writes each block in turn. */
export const runInline: StrategyRunner = async (context) => {
  const { input, runStart, signal, writer } = context;
  for (const plan of context.blocks) {
    signal.throwIfAborted();
    const readStart = epochNow();
    const buffer = context.readBlock(plan);
    const readEnd = epochNow();
    const values = rowNorms({ buffer, kind: input.kind, rows: plan.rowEnd - plan.rowStart, columns: input.columns });
    const computeEnd = epochNow();
    writer.accept({
      plan,
      bytesIn: buffer.byteLength,
      phases: [span('read', 'main', readStart, readEnd, runStart), span('compute', 'main', readEnd, computeEnd, runStart)],
      values: () => values,
    });
    // Yield between blocks so progress events and a cancel get through.
    await new Promise((resolve) => setImmediate(resolve));
  }
};
