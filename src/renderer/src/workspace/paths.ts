// HDF5 path arithmetic in the renderer (the main process has node:path; the browser does not).

export function parentPath(path: string): string {
  if (path === '/' || !path.includes('/')) return '/';
  const parent = path.slice(0, path.lastIndexOf('/'));
  return parent === '' ? '/' : parent;
}

export function baseName(path: string): string {
  return path === '/' ? '/' : path.slice(path.lastIndexOf('/') + 1);
}

/** Resolves `.` and `..` and doubled slashes; the result always starts with `/`. */
export function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** The engine's rule: `distances` beside the input unless a path is given; relative names live in the input's group. */
export function resolveOutputPath(inputPath: string, requested: string): string {
  const name = requested.trim() || 'distances';
  return normalizePath(name.startsWith('/') ? name : `${parentPath(inputPath)}/${name}`);
}

/** Every ancestor from the root down, excluding the path itself: `/a/b/c` → `/`, `/a`, `/a/b`. */
export function ancestors(path: string): string[] {
  const result: string[] = [];
  for (let current = parentPath(path); ; current = parentPath(current)) {
    result.unshift(current);
    if (current === '/') break;
  }
  return path === '/' ? [] : result;
}
