import { existsSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { H5BlocksError, type ErrorCode } from '@shared/errors';
import { datasetFilterIds } from './chunkIndex';
import { externalStorageFiles } from './layout';
import { takeLibraryOutput } from './libraryOutput';

/**
 * h5wasm throws HDF5's whole error stack as text. People need one line: the
 * innermost frame says what went wrong, its `minor:` line names the kind of problem.
 */
export function hdf5Detail(raw: unknown): string {
  const text = rawText(raw);
  const frames = [...text.matchAll(/#\d+:.*? in [\w.]+\(\): (.*)/g)].map((m) => m[1].trim());
  const minors = [...text.matchAll(/minor: (.*)/g)].map((m) => m[1].trim());
  const detail = frames.at(-1);
  const minor = minors.at(-1);
  if (detail && minor && !detail.toLowerCase().includes(minor.toLowerCase())) return `${detail} (${minor})`;
  if (detail) return detail;
  return text.split('\n').find((line) => line.trim() !== '' && !line.startsWith('HDF5-DIAG'))?.trim() ?? 'unknown HDF5 error';
}

function rawText(raw: unknown): string {
  return raw instanceof Error ? raw.message : String(raw);
}

interface Known {
  pattern: RegExp;
  code: ErrorCode;
  words: (match: RegExpMatchArray, object: string | undefined, compression: () => string | undefined, file: string) => string;
}

const count = (digits: string) => Number(digits).toLocaleString('en-US');
const damaged = (what: string) => () => `the file is damaged: ${what}`;

/**
 * HDF5's and Emscripten's messages that a damaged file produces, in plain
 * words. The first match wins; the raw text stays available as the detail.
 */
const KNOWN: Known[] = [
  {
    pattern: /truncated file: eof = (\d+), .*?stored_eof = (\d+)/,
    code: 'not-hdf5',
    words: (m) => `the file is truncated: it ends at ${count(m[1])} bytes but its header says ${count(m[2])}`,
  },
  { pattern: /file signature not found|not an hdf5 file/i, code: 'not-hdf5', words: () => 'not an HDF5 file (no HDF5 signature in it)' },
  {
    // Before the damaged-chunk case: the pipeline fails because a filter is missing, not because a chunk is bad.
    pattern: /required filter (?:'([^']*)'|\(name unavailable\)) is not registered/,
    code: 'hdf5',
    words: (m, _object, compression) => {
      const named = m[1] ? ` ("${m[1]}")` : '';
      return `a filter it needs is not installed: ${compression() ?? 'a filter'} is not available${named ? ` (${named.trim().slice(1, -1)}; neither HDF5 nor the plugins h5blocks ships provide it)` : ' (neither HDF5 nor the plugins h5blocks ships provide it)'}`;
    },
  },
  {
    // A plugin filter that fails calls fprintf/errno, which the wasm build lacks, so it aborts instead of returning an error.
    // The second half: Node's zlib, which the pool's direct chunk path decodes with.
    pattern: /incorrect data check|incorrect header check|invalid (?:stored block lengths|distance too far back|block type|code lengths set|literal\/lengths set)|unexpected end of file|filter returned failure|data pipeline read failed|can't (?:apply|read through) filter|Aborted\(Assertion failed: undefined symbol '(?:fiprintf|__errno_location|fprintf|printf|puts)'/i,
    code: 'hdf5',
    words: (_m, object, compression) => {
      const how = compression();
      if (how === 'fletcher32') return 'a chunk is damaged (its fletcher32 checksum does not match)';
      return `a compressed chunk is damaged${how ? ` (${how})` : ''}`;
    },
  },
  {
    pattern: /unable to open external raw data file/,
    code: 'not-found',
    words: (_m, object, _compression, file) => {
      const names = object ? externalStorageFiles(file, object) : [];
      // Missing where HDF5 looks (the current folder) and beside the file too: say it is missing.
      const missing = names.filter((n) => !existsSync(resolve(n)) && !existsSync(resolve(dirname(file), n)));
      if (missing.length > 0) {
        return `its external raw-data file ${missing.map((n) => JSON.stringify(n)).join(', ')} is missing (HDF5 looks for it in the current folder unless HDF5_EXTFILE_PREFIX says otherwise)`;
      }
      const which = names.length > 0 ? `: ${names.map((n) => JSON.stringify(n)).join(', ')}` : '';
      return `its values are stored in an external raw-data file that cannot be opened (missing, or not where HDF5 looks: the current folder unless HDF5_EXTFILE_PREFIX says otherwise)${which}`;
    },
  },
  {
    // HDF5 2.0 (h5wasm's) refuses types with many unused bits unless relaxed; h5py's older libhdf5 reads them.
    pattern: /unusually large # of unused bits \(prec = (\d+) bits, size = (\d+) bytes\)/,
    code: 'unsupported-dataset',
    words: (m) => `its datatype uses ${m[1]} of its ${Number(m[2]) * 8} bits (a custom precision), which the HDF5 library h5blocks uses (2.0, through h5wasm) refuses to read as possibly damaged`,
  },
  {
    pattern: /Cannot enlarge memory|memory allocation failed|out of memory|unable to allocate/i,
    code: 'hdf5',
    words: () => 'the file asks for more memory than h5blocks can give (a size in it is damaged)',
  },
  { pattern: /superblock|sblock/i, code: 'not-hdf5', words: damaged('its superblock (the header at the start) is corrupt') },
  { pattern: /incorrect metadata checksum|checksum verification failed/i, code: 'hdf5', words: damaged('a checksum of its metadata does not match') },
  { pattern: /bad byte number in an address|addr overflow|address.*(?:out of range|past)|invalid (?:address|file address)|len not positive after adjustment/i, code: 'hdf5', words: damaged('an address in its metadata points outside the file') },
  { pattern: /free block|free list|free space|symbol table node|local heap|global heap|fractal heap|heap signature|B-tree|btree|wrong signature/i, code: 'hdf5', words: damaged('the index of a group or of a dataset\'s chunks is corrupt') },
  { pattern: /object header|bad (?:object|message)|unable to load object|unknown message|can't decode|decode/i, code: 'hdf5', words: damaged('an object\'s header is corrupt') },
  { pattern: /datatype|unused bits|dtype|type class/i, code: 'hdf5', words: damaged('a datatype description is corrupt') },
  { pattern: /dataspace|rank|dimension/i, code: 'hdf5', words: damaged('a dataspace (shape) description is corrupt') },
  { pattern: /Invalid UTF-8/i, code: 'hdf5', words: damaged('a name or string in it is not valid text') },
  { pattern: /Aborted\(/, code: 'hdf5', words: () => 'HDF5 stopped while reading it (the file is probably damaged)' },
];

const FILTER_NAMES: Record<number, string> = {
  1: 'gzip', 2: 'shuffle', 3: 'fletcher32', 4: 'szip', 5: 'nbit', 6: 'scale-offset', 307: 'bzip2', 32000: 'lzf',
  32001: 'blosc', 32004: 'lz4', 32008: 'bitshuffle', 32013: 'zfp', 32015: 'zstd', 32017: 'sz', 32019: 'jpeg', 32026: 'blosc2',
};

function compressionOf(file: string, object: string | undefined): string | undefined {
  return object ? filterWordsOf(file, object) : undefined;
}

/** A dataset's filters as people name them ("bzip2", "gzip", "filter 300"), the compressor alone when there is one; undefined without filters. */
export function filterWordsOf(file: string, object: string): string | undefined {
  const ids = datasetFilterIds(file, object);
  if (!ids || ids.length === 0) return undefined;
  // Shuffle and checksums only rearrange or check bytes: name the compressor when there is one.
  const compressors = ids.filter((id) => id !== 2 && id !== 3);
  return (compressors.length > 0 ? compressors : ids).map((id) => FILTER_NAMES[id] ?? `filter ${id}`).join(' + ');
}

export interface Explained {
  code: ErrorCode;
  words: string;
  /** HDF5's own stack and whatever the library printed, for the app's "details". */
  detail: string;
}

/** A raw HDF5 or Emscripten failure as plain words, with the raw text kept as its detail. */
export function explainHdf5(raw: unknown, file: string, object?: string): Explained {
  const text = rawText(raw);
  const printed = takeLibraryOutput();
  const everything = [text, ...printed].join('\n');
  const detail = everything.length > 8000 ? `${everything.slice(0, 8000)}…` : everything;
  const innermost = hdf5Detail(text);
  // The innermost frame says the most; outer frames ("unable to open file") only where it says nothing known.
  for (const haystack of [innermost, everything]) {
    for (const known of KNOWN) {
      const match = haystack.match(known.pattern);
      if (match) return { code: known.code, words: known.words(match, object, () => compressionOf(file, object), file), detail };
    }
  }
  const words = innermost;
  return { code: classify(words), words, detail };
}

function classify(detail: string): ErrorCode {
  if (/no such file|errno = 44/i.test(detail)) return 'not-found';
  if (/signature|superblock|truncated|not an hdf5|decode/i.test(detail)) return 'not-hdf5';
  return 'hdf5';
}

/** Whether an error's text is raw HDF5 or Emscripten output rather than one of h5blocks' own lines. */
export function isRawLibraryText(text: string): boolean {
  return /HDF5-DIAG|^Aborted\(|#\d+: .* in H5|Cannot enlarge memory|RuntimeError|incorrect (?:data|header) check|invalid (?:stored block lengths|distance too far back|block type)|unexpected end of file/m.test(text);
}

/** An HDF5 failure as a typed error naming the file and the object. */
export function hdf5Error(raw: unknown, file: string, object?: string, doing?: string): H5BlocksError {
  if (raw instanceof H5BlocksError) return raw;
  const { code, words, detail } = explainHdf5(raw, file, object);
  const where = object ? `${basename(file)}: ${object}` : basename(file);
  const what = doing ? `${doing}: ${words}` : words;
  return new H5BlocksError(code, `${where}: ${what}`, { file, object, detail });
}
