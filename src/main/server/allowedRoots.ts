import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { BrowseEntry, BrowseListing } from '@shared/api';
import { H5BlocksError } from '@shared/errors';

/**
 * The folders `h5blocks serve` lets a page see. Every path is judged by where it
 * really is (symbolic links and `..` resolved), so a link inside a root that
 * points outside it is outside.
 */
export class AllowedRoots {
  /** Real paths, as given (deduplicated). */
  readonly roots: string[];

  constructor(folders: string[]) {
    const real = folders.map((folder) => {
      let path: string;
      try {
        path = realpathSync(folder);
      } catch {
        throw new H5BlocksError('invalid-argument', `${folder}: no such folder; --root must name existing folders`);
      }
      if (!statSync(path).isDirectory()) throw new H5BlocksError('invalid-argument', `${folder}: is a file; --root must name folders`);
      return path;
    });
    this.roots = [...new Set(real)];
  }

  /** The real path of an existing file or folder inside a root, or 'forbidden'/'not-found'. */
  resolveExisting(path: string): string {
    const absolute = this.absolute(path);
    let real: string;
    try {
      real = realpathSync(absolute);
    } catch {
      // Say nothing about what exists outside the roots: judge the nearest folder that does exist.
      this.checkInside(nearestExisting(absolute), path);
      throw new H5BlocksError('not-found', `${path}: no such file or folder`, { file: path });
    }
    this.checkInside(real, path);
    return real;
  }

  /**
   * Where a new file may be written: its folder must be inside a root, and the
   * name must not be a link leading out. Returns the path inside the real folder.
   */
  resolveNew(path: string): string {
    const absolute = this.absolute(path);
    const folder = this.resolveExisting(dirname(absolute));
    const name = basename(absolute);
    if (name === '' || name === '.' || name === '..') throw new H5BlocksError('invalid-argument', `${path}: is not a file name`, { file: path });
    const target = join(folder, name);
    let existing: string | undefined;
    try {
      existing = realpathSync(target);
    } catch {
      existing = undefined;
    }
    if (existing !== undefined) this.checkInside(existing, path);
    return target;
  }

  isInside(path: string): boolean {
    try {
      this.resolveExisting(path);
      return true;
    } catch {
      return false;
    }
  }

  /** A folder's contents (hidden entries and anything leading outside the roots left out), folders first. */
  list(folder: string | null): BrowseListing {
    if (folder === null && this.roots.length > 1) {
      return {
        folder: '', parent: null,
        entries: this.roots.map((root) => ({ name: root, path: root, kind: 'folder' as const })),
      };
    }
    const real = folder === null ? this.roots[0] : this.resolveExisting(folder);
    if (!statSync(real).isDirectory()) throw new H5BlocksError('invalid-argument', `${folder}: is a file, not a folder`, { file: folder ?? real });
    let names: string[];
    try {
      names = readdirSync(real);
    } catch {
      throw new H5BlocksError('forbidden', `${real}: cannot list this folder (permission denied)`, { file: real });
    }
    const entries: BrowseEntry[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const entry = this.entry(join(real, name), name);
      if (entry) entries.push(entry);
    }
    entries.sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1));
    const isRoot = this.roots.includes(real);
    return { folder: real, parent: isRoot ? null : dirname(real), entries };
  }

  private entry(path: string, name: string): BrowseEntry | undefined {
    let real: string;
    let stat: Stats;
    try {
      real = realpathSync(path);
      stat = statSync(real);
    } catch {
      return undefined; // A dangling link.
    }
    if (!this.contains(real)) return undefined;
    if (stat.isDirectory()) return { name, path, kind: 'folder' };
    if (stat.isFile()) return { name, path, kind: 'file', sizeBytes: stat.size };
    return undefined;
  }

  private absolute(path: string): string {
    if (!isAbsolute(path)) {
      throw new H5BlocksError('invalid-argument', `${path}: give an absolute path (as listed by Open…)`, { file: path });
    }
    return resolve(path);
  }

  private checkInside(real: string, asked: string): void {
    if (!this.contains(real)) {
      throw new H5BlocksError('forbidden', `${asked}: outside the folders this server may open (${this.roots.join(', ')})`, { file: asked });
    }
  }

  private contains(real: string): boolean {
    return this.roots.some((root) => {
      const inside = relative(root, real);
      return inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside));
    });
  }
}

function nearestExisting(path: string): string {
  for (let current = path; ; current = dirname(current)) {
    try {
      return realpathSync(current);
    } catch {
      if (dirname(current) === current) return current;
    }
  }
}
