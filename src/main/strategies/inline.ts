import { computeInto, outputArray, outputBytes as bytesPerValue, valuesPerBlock } from '../../workers/kernels/compute';
import { BufferPool } from '../run/bufferPool';
import { epochNow } from '../run/clock';
import { span, type StrategyRunner } from './context';
import type { NonFiniteCounts } from '@shared/run';

/** The baseline: the main thread reads, computes and writes each block in turn. */
export const runInline: StrategyRunner = async (context) => {
  const { input, runStart, signal, writer } = context;
  // One value per row goes into the run's reused output buffers; a statistics partial is small and made anew.
  const perRow = !context.task.stats;
  const outputBytes = bytesPerValue(context.task, input.kind);
  const outputs = context.buffers?.outputs ?? new BufferPool(Math.max(0, ...context.blocks.map((b) => b.rowEnd - b.rowStart)) * outputBytes);
  for (const [position, plan] of context.blocks.entries()) {
    signal.throwIfAborted();
    context.activity?.begin('main', 'read', epochNow(), { block: plan.index });
    const rows = plan.rowEnd - plan.rowStart;
    const out = perRow ? await outputs.acquire(rows * outputBytes, signal) : undefined;
    const readStart = epochNow();
    let readEnd = readStart;
    let bytesIn = 0;
    let nonFinite: NonFiniteCounts | undefined;
    const values = out
      ? outputBytes === 4 ? new Float32Array(out, 0, rows) : new Float64Array(out, 0, rows)
      : outputArray(context.task, input.kind, valuesPerBlock(context.task, rows, input.columns));
    context.withBlockInHeap(plan, (heap, byteOffset, bytes) => {
      readEnd = epochNow();
      bytesIn = bytes;
      nonFinite = computeInto(context.task, { buffer: heap, byteOffset, kind: input.kind, rows, columns: input.columns, firstRow: plan.rowStart }, values);
    });
    const computeEnd = epochNow();
    writer.accept({
      plan,
      bytesIn,
      phases: [span('read', 'main', readStart, readEnd, runStart), span('compute', 'main', readEnd, computeEnd, runStart)],
      ...(nonFinite ? { nonFinite } : {}),
      values: () => values,
      ...(out ? { giveBack: (buffer: ArrayBuffer) => outputs.give(buffer) } : {}),
    });
    // The main thread's next work is reading the next block (or finishing the run): that is what a
    // timeline drawn during the pause below shows on its lane.
    const next = context.blocks[position + 1];
    if (next) context.activity?.begin('main', 'read', epochNow(), { block: next.index });
    else context.activity?.end('main');
    // Yield between blocks so progress events and a cancel get through.
    await new Promise((resolve) => setImmediate(resolve));
  }
};
