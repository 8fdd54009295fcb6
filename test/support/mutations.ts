import { readFileSync } from 'node:fs';

/**
 * Deterministic damage to HDF5 files, as a fuzzer would do it: byte flips,
 * truncations, zeroed and duplicated ranges. The same seed always gives the
 * same files, so a failure found once can be found again.
 */
export type MutationKind = 'flip' | 'truncate' | 'zero' | 'duplicate';

export interface Mutation {
  kind: MutationKind;
  /** What was done, for a failure message: "flip 3 bytes at 112, 5004, 9000". */
  description: string;
  bytes: Buffer;
}

/** mulberry32: a tiny, well-known seeded generator; Math.random cannot be seeded. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KINDS: MutationKind[] = ['flip', 'truncate', 'zero', 'duplicate'];

/**
 * Offsets are drawn mostly from the first few KiB, where superblocks, object
 * headers and B-trees live: damage there reaches HDF5's parsers, while damage in
 * the middle of raw data only changes values.
 */
function offset(random: () => number, length: number): number {
  const metadataEnd = Math.min(length, 8192);
  return random() < 0.7 ? Math.floor(random() * metadataEnd) : Math.floor(random() * length);
}

export function mutate(original: Buffer, random: () => number): Mutation {
  const kind = KINDS[Math.floor(random() * KINDS.length)];
  const bytes = Buffer.from(original);
  const length = bytes.length;
  switch (kind) {
    case 'flip': {
      const count = 1 + Math.floor(random() * 8);
      const at: number[] = [];
      for (let i = 0; i < count; i++) {
        const p = offset(random, length);
        bytes[p] ^= 1 << Math.floor(random() * 8);
        at.push(p);
      }
      return { kind, description: `flip ${count} bit(s) at ${at.join(', ')}`, bytes };
    }
    case 'truncate': {
      const end = Math.max(1, Math.floor(random() * length));
      return { kind, description: `truncate to ${end} bytes`, bytes: bytes.subarray(0, end) };
    }
    case 'zero': {
      const start = offset(random, length);
      const size = Math.min(length - start, 1 + Math.floor(random() * 256));
      bytes.fill(0, start, start + size);
      return { kind, description: `zero ${size} bytes at ${start}`, bytes };
    }
    case 'duplicate': {
      const from = offset(random, length);
      const size = Math.min(length - from, 1 + Math.floor(random() * 512));
      const to = offset(random, length);
      original.copy(bytes, to, from, Math.min(from + size, from + (length - to)));
      return { kind, description: `copy ${size} bytes from ${from} to ${to}`, bytes };
    }
  }
}

export interface MutatedFile extends Mutation {
  /** The corpus file it was made from. */
  source: string;
  index: number;
}

/** `count` mutated files, spread round-robin over `sources`, from a fixed seed. */
export function* mutatedFiles(sources: string[], count: number, seed: number): Generator<MutatedFile> {
  const random = seededRandom(seed);
  const originals = sources.map((source) => readFileSync(source));
  for (let index = 0; index < count; index++) {
    const which = index % sources.length;
    yield { ...mutate(originals[which], random), source: sources[which], index };
  }
}
