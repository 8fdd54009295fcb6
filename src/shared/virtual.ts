// Virtual dataset outputs (the vds strategy): what the app and the CLI report about them.

export interface MaterializeResult {
  file: string;
  dataset: string;
  rows: number;
  /** h5blocks' shard files removed once the regular dataset was committed. */
  removedShards: number;
}

/** A virtual dataset in an open file and the files its values come from. */
export interface VirtualOutput {
  dataset: string;
  sources: { file: string; resolved: string; missing: boolean }[];
}

/** How Save As treats virtual datasets: copy their shard folder beside the new file, or store their values in the copy. */
export type SaveAsVirtual = 'copy-shards' | 'materialize';
