// Preloaded (node --import) before the built CLI, so the process looks like
// Electron's main process to h5wasm's Emscripten glue: a global navigator whose
// userAgent says Chrome. At exit it reports whether that same navigator is back.
import { writeFileSync } from 'node:fs';

const configurable = process.env.H5BLOCKS_TEST_NAVIGATOR_CONFIGURABLE !== 'false';
const electronNavigator = { userAgent: process.env.H5BLOCKS_TEST_USER_AGENT };
Object.defineProperty(globalThis, 'navigator', { value: electronNavigator, configurable, writable: true, enumerable: true });

process.on('exit', () => {
  const now = globalThis.navigator;
  writeFileSync(process.env.H5BLOCKS_TEST_REPORT, JSON.stringify({ sameObject: now === electronNavigator, userAgent: now?.userAgent ?? null }));
});
