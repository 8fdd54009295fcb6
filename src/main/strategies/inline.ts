import { computeBlock } from '../../workers/kernels/compute';
import { epochNow } from '../run/clock';
import { span, type StrategyRunner } from './context';

/** The baseline: the main thread reads, computes and writes each block in turn. */
export const runInline: StrategyRunner = async (context) => {
  const { input, runStart, signal, writer } = context;
  for (const plan of context.blocks) {
    signal.throwIfAborted();
    const readStart = epochNow();
    let readEnd = readStart;
    let bytesIn = 0;
    const values = context.withBlockInHeap(plan, (heap, byteOffset, bytes) => {
      readEnd = epochNow();
      bytesIn = bytes;
      return computeBlock(context.task, { buffer: heap, byteOffset, kind: input.kind, rows: plan.rowEnd - plan.rowStart, columns: input.columns });
    });
    const computeEnd = epochNow();
    writer.accept({
      plan,
      bytesIn,
      phases: [span('read', 'main', readStart, readEnd, runStart), span('compute', 'main', readEnd, computeEnd, runStart)],
      values: () => values,
    });
    // Yield between blocks so progress events and a cancel get through.
    await new Promise((resolve) => setImmediate(resolve));
  }
};
