import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { H5BlocksError } from '@shared/errors';
import type { H5Module } from './h5wasm';
import { noteLibraryOutput } from './libraryOutput';
import { notePluginLoading } from './decodeBudget';
import { shardsRootOf } from '../run/shardFolder';

/**
 * Which files HDF5 may open in this thread. `h5blocks serve` confines HDF5 to
 * its roots: a file inside them may still name files outside through an
 * external link, external raw storage (the External Data Files message) or a
 * virtual dataset's sources, and HDF5 opens those itself, by its own search
 * rules. Every byte it reads goes through Emscripten's FS, so the one sure
 * check is there, on the path HDF5 actually opens.
 */
export interface ConfinementRules {
  /** Real paths of the folders HDF5 may read in. */
  roots: string[];
  /** Files the user named outside the roots (serve's command line); their h5blocks companions (`.NAME.…`, the `STEM.h5blocks/` shard folder) too. */
  files: string[];
  /** Path prefixes of a run's own scratch (shard files in the temp folder, `…/h5blocks-run-PID-START-RUNID`). */
  scratch?: string[];
}

export interface Refusal {
  /** The path HDF5 asked for, as it asked. */
  asked: string;
  /** Where that is on disk. */
  resolved: string;
}

let rules: ConfinementRules | undefined;
let refusals: Refusal[] = [];

/**
 * Threads learn the rules from their environment (H5BLOCKS_CONFINE, JSON), which
 * worker threads inherit: the I/O thread and the shard workers it starts all
 * apply the same rules without being told one by one.
 */
export const CONFINE_VARIABLE = 'H5BLOCKS_CONFINE';

export function confinementFromEnvironment(): ConfinementRules | undefined {
  const text = process.env[CONFINE_VARIABLE];
  if (!text) return undefined;
  const parsed = JSON.parse(text) as ConfinementRules;
  return { roots: parsed.roots ?? [], files: parsed.files ?? [], scratch: parsed.scratch ?? [] };
}

export function confineTo(next: ConfinementRules | undefined): void {
  rules = next && { roots: next.roots.map(realOrSame), files: next.files.map(realOrSame), scratch: (next.scratch ?? []).map(realOrSame) };
}

export function confinement(): ConfinementRules | undefined {
  return rules;
}

/** The opens refused since the last call (most recent last), and forgets them. */
export function takeRefusals(): Refusal[] {
  const taken = refusals;
  refusals = [];
  return taken;
}

/** Whether HDF5 may open `path` (relative paths as Emscripten resolves them: against the working folder). */
export function mayOpen(path: string): boolean {
  if (!rules) return true;
  const real = realOrSame(resolve(path));
  if (rules.roots.some((root) => inside(root, real))) return true;
  if (rules.scratch?.some((prefix) => real.startsWith(prefix))) return true;
  // A named file's companions: its sidecars (`.NAME.…`) and its vds shard folder (`STEM.h5blocks/`).
  return rules.files.some((file) => real === file || (dirname(real) === dirname(file) && basename(real).startsWith(`.${basename(file)}.`))
    || inside(shardsRootOf(file), real));
}

/** Installs the check on the module's FS.open, once per module; it applies whatever rules are set later. Also keeps C's stdio off the terminal. */
export function guardFileSystem(module: H5Module, pluginFolder: string): void {
  // HDF5 loads its filter plugins (compression) from there, whatever file asks.
  const plugins = realOrSame(pluginFolder);
  const fs = (module as unknown as { FS: FsLike }).FS;
  if (fs.h5blocksGuarded) return;
  const open = fs.open.bind(fs);
  fs.open = (path: string, ...rest: unknown[]) => {
    if (typeof path === 'string' && !opensFolder(rest[0]) && inside(plugins, realOrSame(resolve(path)))) notePluginLoading();
    if (typeof path === 'string' && !createsNew(rest[0]) && !opensFolder(rest[0]) && !mayOpen(path) && !inside(plugins, realOrSame(resolve(path)))) {
      refusals.push({ asked: path, resolved: realOrSame(resolve(path)) });
      if (refusals.length > 20) refusals.shift();
      // EACCES in Emscripten's numbering: HDF5 sees a file it may not open.
      throw new fs.ErrnoError(2);
    }
    return open(path, ...rest);
  };
  // With Emscripten's NODERAWFS, C's stdout and stderr are the process's own
  // file descriptors: a plugin's printf ("decompressed size not the same") would
  // bypass every console and land in the user's terminal, or in a `--json` output.
  const write = fs.write.bind(fs);
  fs.write = (stream: { nfd?: number }, buffer: Uint8Array, offset: number, length: number, ...rest: unknown[]) => {
    if (stream?.nfd === 1 || stream?.nfd === 2) {
      noteLibraryOutput(Buffer.from(buffer.buffer, buffer.byteOffset + offset, length).toString('utf8'));
      return length;
    }
    return write(stream, buffer, offset, length, ...rest);
  };
  fs.h5blocksGuarded = true;
}

const O_CREAT = 0o100;
const O_EXCL = 0o200;
const O_DIRECTORY = 0o200000;

/** HDF5 lists plugin folders while looking for a filter: a listing gives names, never file contents. */
function opensFolder(flags: unknown): boolean {
  return typeof flags === 'number' && (flags & O_DIRECTORY) !== 0;
}

/**
 * A file created exclusively holds nothing to read: HDF5's error handler in
 * h5wasm writes its stack through tmpfile() in /tmp, which must keep working.
 */
function createsNew(flags: unknown): boolean {
  return typeof flags === 'number' && (flags & O_CREAT) !== 0 && (flags & O_EXCL) !== 0;
}

interface FsLike {
  open: (path: string, ...rest: unknown[]) => unknown;
  write: (stream: { nfd?: number }, buffer: Uint8Array, offset: number, length: number, ...rest: unknown[]) => number;
  ErrnoError: new (errno: number) => Error;
  h5blocksGuarded?: boolean;
}

function inside(root: string, real: string): boolean {
  const rest = relative(root, real);
  return rest === '' || (rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest));
}

/** The real path, or for a path that does not exist, its nearest existing folder's real path joined with the rest. */
function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realOrSame(parent), basename(path));
  }
}

/** One line naming the object and where it points, for a read that made HDF5 reach outside the rules. */
export function outsideError(file: string, object: string | undefined, refused: Refusal[]): H5BlocksError {
  // HDF5 looks for an external link's target in several places: name the one that exists.
  const target = (refused.find((r) => existsSync(r.resolved)) ?? refused[0])?.resolved ?? 'another file';
  const where = object ? `${basename(file)}: ${object}` : basename(file);
  return new H5BlocksError(
    'forbidden',
    `${where}: refers to ${target} (through an external link, external storage or a virtual dataset source), outside the folders this server may open; it was not read`,
    { file, object, detail: refused.map((r) => `HDF5 asked to open ${r.asked}`).join('\n') },
  );
}

/** Throws when anything was refused since the last check. */
export function throwIfRefused(file: string, object?: string): void {
  const refused = takeRefusals();
  if (refused.length > 0) throw outsideError(file, object, refused);
}
