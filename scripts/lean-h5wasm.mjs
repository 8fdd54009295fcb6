// h5wasm's Node build carries its 3.6 MB wasm inside its JavaScript glue, as a
// 4 MB string literal. Every thread that loads it (the I/O thread, shard
// workers) parses that literal, decodes the file as UTF-8 and turns the string
// back into bytes: about 110 ms per thread on a 2-core machine, before any
// HDF5 call. This build step writes `out/h5wasm/`: the same glue with the
// literal replaced by a read of the same bytes from `hdf5_util.wasm` beside
// it, and h5wasm's `hdf5_hl.js` unchanged. The copy is checked (the wasm it
// loads is byte-identical to the original's) before it is kept; when anything
// does not match (another h5wasm version), nothing is written and h5wasm's
// own build is used as before (src/main/hdf5/h5wasm.ts looks for both).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MARK = "function findWasmBinary(){return binaryDecode('";
const REPLACEMENT = 'function findWasmBinary(){return __h5blocksWasmBinary()}';
// A thread handed an already compiled module (src/main/hdf5/h5wasm.ts sets the
// flag while it loads) never uses the bytes: it skips reading 3.5 MB into fresh memory.
const PRELUDE = "import { readFileSync as __h5blocksReadFile } from 'node:fs';\n"
  + "const __h5blocksWasmBinary = () => globalThis[Symbol.for('h5blocks.h5wasmCompiled')] ? new Uint8Array(0) : new Uint8Array(__h5blocksReadFile(new URL('./hdf5_util.wasm', import.meta.url)));\n";

/** Where the original glue's string literal ends (the index of its closing quote). */
function literalEnd(source, start) {
  for (let i = start; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === "'") return i;
  }
  return -1;
}

/** The wasm bytes a glue file hands to WebAssembly.instantiate, as a sha256, computed in a child process. */
function loadedWasmDigest(hlFile) {
  const probe = `
    const { createHash } = await import('node:crypto');
    const original = WebAssembly.instantiate;
    let digest = '';
    WebAssembly.instantiate = (source, imports) => {
      if (!(source instanceof WebAssembly.Module)) digest = createHash('sha256').update(new Uint8Array(source.buffer ?? source, source.byteOffset ?? 0, source.byteLength)).digest('hex');
      return original(source, imports);
    };
    const h5 = (await import(${JSON.stringify(hlFile)})).default ?? await import(${JSON.stringify(hlFile)});
    await (h5.ready ?? h5.default?.ready);
    process.stdout.write(digest);`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

export function writeLeanH5wasm(outFolder) {
  const nodeBuild = dirname(fileURLToPath(import.meta.resolve('h5wasm/node')));
  const target = join(outFolder, 'h5wasm');
  rmSync(target, { recursive: true, force: true });
  try {
    const glue = readFileSync(join(nodeBuild, 'hdf5_util.js'), 'utf8');
    const start = glue.indexOf(MARK);
    if (start < 0 || glue.indexOf(MARK, start + 1) >= 0) return 'its glue has no single inline wasm';
    const open = start + MARK.length;
    const close = literalEnd(glue, open);
    if (close < 0 || glue.slice(close, close + 3) !== "')}") return 'its inline wasm literal does not end as expected';
    const originalDigest = loadedWasmDigest(join(nodeBuild, 'hdf5_hl.js'));
    // The literal's bytes, decoded exactly as the glue's own binaryDecode does it, by running it.
    const bytes = decodeWithGlue(glue, open - 1, close + 1);
    if (createHash('sha256').update(bytes).digest('hex') !== originalDigest) return 'the decoded wasm differs from what h5wasm loads';
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'hdf5_util.wasm'), bytes);
    writeFileSync(join(target, 'hdf5_util.js'), PRELUDE + glue.slice(0, start) + REPLACEMENT + glue.slice(close + 3));
    writeFileSync(join(target, 'hdf5_hl.js'), readFileSync(join(nodeBuild, 'hdf5_hl.js')));
    if (loadedWasmDigest(join(target, 'hdf5_hl.js')) !== originalDigest) throw new Error('the lean glue loads another wasm');
    return undefined;
  } catch (error) {
    rmSync(target, { recursive: true, force: true });
    return error instanceof Error ? error.message : String(error);
  }
}

function decodeWithGlue(glue, literalStart, literalEnd) {
  const decoder = glue.match(/function binaryDecode\(bin\)\{[^}]*\}return o\}/)?.[0]
    ?? glue.match(/function binaryDecode\(bin\)\{.*?return o\}/s)?.[0];
  if (!decoder) throw new Error('no binaryDecode in the glue');
  // Build-time only, on the installed h5wasm's own code: never user input.
  return Buffer.from(new Function(`${decoder}; return binaryDecode(${glue.slice(literalStart, literalEnd)});`)());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const why = writeLeanH5wasm(join(dirname(fileURLToPath(import.meta.url)), '..', 'out'));
  process.stdout.write(why ? `lean h5wasm not written (${why}); h5wasm's own build is used\n` : 'out/h5wasm written\n');
}
