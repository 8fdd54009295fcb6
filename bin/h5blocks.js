#!/usr/bin/env node
// The CLI is built by `npm run build` (electron-vite) into out/main/cli.js.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const cli = fileURLToPath(new URL('../out/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('h5blocks: not built yet; run `npm run build` (npm install does it) first\n');
  process.exit(2);
}
startIoThreadEarly();
await import(cli);

/**
 * Commands that work in an I/O thread get it started now, before the CLI's own
 * modules load: its start-up (its modules, then h5wasm) runs on another core
 * meanwhile, which a short run feels (src/main/io/earlyThread.ts adopts it).
 * It is unref'd: a command that ends without it (a refusal, --help) exits as before.
 */
function startIoThreadEarly() {
  const [command, ...rest] = process.argv.slice(2);
  if (!['run', 'tree', 'stats'].includes(command) || rest.some((arg) => ['--help', '-h', '--dry-run'].includes(arg))) return;
  const file = fileURLToPath(new URL('../out/main/ioThread.js', import.meta.url));
  if (!existsSync(file)) return;
  // The build's lean h5wasm keeps its wasm in a file of its own: this thread,
  // idle while the I/O thread starts, reads and compiles it and posts the
  // module (src/main/hdf5/h5wasm.ts waits for it; null: compile it there).
  const wasm = fileURLToPath(new URL('../out/h5wasm/hdf5_util.wasm', import.meta.url));
  const compiling = existsSync(wasm);
  const worker = new Worker(file, { env: { ...process.env }, workerData: compiling ? { h5wasmModuleComing: true } : {} });
  worker.unref();
  if (compiling) {
    readFile(wasm).then((bytes) => WebAssembly.compile(bytes)).then(
      (module) => worker.postMessage({ type: 'h5wasm-module', module }),
      () => worker.postMessage({ type: 'h5wasm-module', module: null }),
    );
  }
  const keep = (message) => early.messages.push(message);
  const fail = () => { early.failed = true; };
  const early = {
    worker, messages: [], failed: false,
    detach() {
      worker.off('message', keep);
      worker.off('error', fail);
      worker.off('exit', fail);
    },
  };
  worker.on('message', keep);
  worker.on('error', fail);
  worker.on('exit', fail);
  globalThis[Symbol.for('h5blocks.earlyIoThread')] = early;
}
