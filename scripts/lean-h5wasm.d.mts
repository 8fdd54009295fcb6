/** Writes out/h5wasm (see lean-h5wasm.mjs); the reason when it did not, else undefined. */
export function writeLeanH5wasm(outFolder: string): string | undefined;
