import { createReadStream, existsSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { H5BlocksError } from '@shared/errors';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The built renderer (out/renderer, from electron-vite). The server code may be
 * bundled in out/main/chunks or run from source under a test runner, so look
 * upwards for it.
 */
export function findRendererFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    // Never src/renderer: that is the page's source, not the built page.
    const candidates = basename(dir) === 'out' ? [join(dir, 'renderer')] : [join(dir, 'out', 'renderer')];
    for (const candidate of candidates) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    dir = dirname(dir);
  }
  throw new H5BlocksError('not-found', 'the app\'s page is not built yet (out/renderer/index.html is missing); run `npm run build` first');
}

/** The file under `root` a URL path names, or undefined for anything outside it or missing. */
export function staticFileFor(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const wanted = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const path = resolve(root, wanted);
  const inside = relative(root, path);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return undefined;
  try {
    return statSync(path).isFile() ? path : undefined;
  } catch {
    return undefined;
  }
}

export function sendFile(response: ServerResponse, path: string, headOnly: boolean): void {
  const size = statSync(path).size;
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': size,
    // The page is rebuilt under the same names during development; hashed assets could be cached, but loopback is fast.
    'Cache-Control': 'no-store',
  });
  if (headOnly) {
    response.end();
    return;
  }
  createReadStream(path).on('error', () => response.destroy()).pipe(response);
}
