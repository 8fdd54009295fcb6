// Preloaded (node --import) into a CLI run by the kill campaign: stops the run
// at the named test pause point inside its commit, after saying so in a marker
// file, so the test can kill it exactly there. The production path never sets
// this hook (see testPause in src/main/transaction/transaction.ts).
import { writeFileSync } from 'node:fs';

const point = process.env.H5BLOCKS_TEST_PAUSE_AT;
const marker = process.env.H5BLOCKS_TEST_PAUSE_MARKER;
// How long to hold at the point: long enough for the kill campaign to kill the run there by default.
const holdMs = Number(process.env.H5BLOCKS_TEST_PAUSE_MS ?? 60_000);
if (point && marker) {
  globalThis[Symbol.for('h5blocks.testPause')] = (reached) => {
    if (reached !== point) return;
    writeFileSync(marker, reached);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, holdMs);
  };
}
