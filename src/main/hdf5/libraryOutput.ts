import { format } from 'node:util';

/**
 * What h5wasm's Emscripten runtime and HDF5 print (HDF5-DIAG error stacks,
 * `Aborted(...)`, `warning: Invalid UTF-8 ...`, `Cannot enlarge memory ...`).
 * None of it is for the user's terminal: the error that follows says what went
 * wrong in one line. The last lines are kept, bounded, as the raw detail of
 * that error, which the app can show on request.
 */
const KEPT_LINES = 40;
const MAX_LINE_CHARS = 2000;
const kept: string[] = [];

export function noteLibraryOutput(...args: unknown[]): void {
  for (const line of format(...args).split('\n')) {
    if (line.trim() === '') continue;
    kept.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
  }
  if (kept.length > KEPT_LINES) kept.splice(0, kept.length - KEPT_LINES);
}

/** The lines printed since the last call, and forgets them. */
export function takeLibraryOutput(): string[] {
  return kept.splice(0);
}

/**
 * Runs `load` with console.log/error/warn routed to the kept lines. Emscripten
 * binds its `out` and `err` to whatever console.log and console.error are while
 * the module initialises, so redirecting them for that moment is enough to keep
 * every later print off stdout and stderr, for the life of the module.
 */
export async function withConsoleCaptured<T>(load: () => Promise<T>): Promise<T> {
  const { log, error, warn } = console;
  console.log = noteLibraryOutput;
  console.error = noteLibraryOutput;
  console.warn = noteLibraryOutput;
  try {
    return await load();
  } finally {
    console.log = log;
    console.error = error;
    console.warn = warn;
  }
}
