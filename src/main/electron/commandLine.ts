import { isAbsolute, resolve } from 'node:path';

/**
 * The files named on Electron's command line. `electron . FILE…` (development)
 * puts the app folder first; a packaged app has only its own executable before
 * the files. Chromium switches (`--foo`) are not files.
 */
export function filesFromArgv(argv: readonly string[], options: { packaged: boolean; cwd: string }): string[] {
  const rest = argv.slice(options.packaged ? 1 : 2);
  return rest
    .filter((arg) => arg !== '' && !arg.startsWith('-'))
    .map((arg) => (isAbsolute(arg) ? arg : resolve(options.cwd, arg)));
}
