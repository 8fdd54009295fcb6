import type { Phase } from '@shared/run';

/** One colour per phase everywhere (timeline, legend, totals, side-by-side), from the Tableau 10 palette. */
export const PHASE_COLORS: Record<Phase, string> = {
  start: '#d4a6c8',
  log: '#8c8c8c',
  init: '#b07aa1',
  queue: '#bab0ac',
  read: '#4e79a7',
  transfer: '#f28e2b',
  compute: '#59a14f',
  'shard-write': '#edc948',
  merge: '#76b7b2',
  write: '#e15759',
  flush: '#ff9da7',
  commit: '#9c755f',
};

export const PHASE_HELP: Record<Phase, string> = {
  start: 'starting up before the first block: the process or thread, loading h5wasm (HDF5), starting workers',
  log: 'locking the file, starting its write-ahead log and opening it for writing',
  init: 'a worker opening HDF5 for the first time',
  queue: 'waiting for a free worker (not work)',
  read: 'reading (and decompressing) the block from the file',
  transfer: 'moving the block or its result between threads',
  compute: 'computing the row norms',
  'shard-write': 'writing the block result to a shard file',
  merge: 'copying a shard into the output, in block order',
  write: 'writing the block result to the output, in block order',
  flush: 'a live (SWMR) run making the block visible to readers: HDF5 writes the output\'s metadata to the file',
  commit: 'writing provenance, syncing the output, then the log\'s commit record, and putting the logged bytes in place',
};
