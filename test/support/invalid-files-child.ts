// Run as `node --import tsx test/support/invalid-files-child.ts VALID_COPY INVALID...` by
// engine-refusals.test.ts: one process meets every invalid file, then must still
// open and run a valid one. Whatever h5wasm or HDF5 prints lands on this process's
// real stderr, which the parent requires to be empty.
import { openHdf5, closeQuietly } from '../../src/main/hdf5/files';
import { runComputation } from '../../src/main/run/engine';
import { closeWorkerPools } from '../../src/main/strategies/workerPools';
import { toErrorInfo } from '../../src/shared/errors';

interface Attempt {
  file: string;
  open: { code: string; message: string } | 'opened';
  run: { code: string; message: string } | 'ran';
}

async function outcome<T>(attempt: () => Promise<T>, success: string): Promise<{ code: string; message: string } | string> {
  try {
    await attempt();
    return success;
  } catch (error) {
    const { code, message } = toErrorInfo(error);
    return { code, message };
  }
}

const [valid, ...invalid] = process.argv.slice(2);
const attempts: Attempt[] = [];
for (const file of invalid) {
  attempts.push({
    file,
    open: (await outcome(async () => closeQuietly(await openHdf5(file)), 'opened')) as Attempt['open'],
    run: (await outcome(() => runComputation({ file, dataset: '/coords', strategy: 'pool', workers: 2 }), 'ran')) as Attempt['run'],
  });
}
const afterwards = await runComputation({ file: valid, dataset: '/coords', strategy: 'pool', workers: 2, blockRows: 100 });
await closeWorkerPools();
process.stdout.write(`${JSON.stringify({ attempts, afterwards: { rows: afterwards.rows, blocks: afterwards.blocks.length } })}\n`);
