import { OUTPUT_BYTES, outputTypeFor, rowNormsInto } from '../../workers/compute/rowNorm';
import { BufferPool } from '../run/bufferPool';
import { epochNow } from '../run/clock';
import { span, type StrategyRunner } from './context';

/** The baseline: the main thread reads, computes and writes each block in turn. */
export const runInline: StrategyRunner = async (context) => {
  const { input, runStart, signal, writer } = context;
  const outputBytes = OUTPUT_BYTES[outputTypeFor(input.kind)];
  const outputs = context.buffers?.outputs ?? new BufferPool(Math.max(0, ...context.blocks.map((b) => b.rowEnd - b.rowStart)) * outputBytes);
  for (const plan of context.blocks) {
    signal.throwIfAborted();
    const rows = plan.rowEnd - plan.rowStart;
    const out = await outputs.acquire(rows * outputBytes, signal);
    const readStart = epochNow();
    let readEnd = readStart;
    let bytesIn = 0;
    const values = outputBytes === 4 ? new Float32Array(out, 0, rows) : new Float64Array(out, 0, rows);
    context.withBlockInHeap(plan, (heap, byteOffset, bytes) => {
      readEnd = epochNow();
      bytesIn = bytes;
      rowNormsInto({ buffer: heap, byteOffset, kind: input.kind, rows, columns: input.columns }, values);
    });
    const computeEnd = epochNow();
    writer.accept({
      plan,
      bytesIn,
      phases: [span('read', 'main', readStart, readEnd, runStart), span('compute', 'main', readEnd, computeEnd, runStart)],
      values: () => values,
      giveBack: (buffer) => outputs.give(buffer),
    });
    // Yield between blocks so progress events and a cancel get through.
    await new Promise((resolve) => setImmediate(resolve));
  }
};
