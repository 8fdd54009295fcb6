import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { SaveAsVirtual, VirtualOutput } from '@shared/virtual';
import { fsError } from '../fsErrors';
import { renameSources } from '../hdf5/virtual/virtualLayout';
import { beginTransaction } from '../transaction/transaction';
import { isOwnShard, relativeToFile, removeShards, shardsRootOf } from './shardFolder';

/**
 * After Save As copied `source` to `target`: makes the copy's virtual datasets
 * read their values again. 'copy-shards' copies h5blocks' shards into the
 * copy's own shard folder (named after the new file) and points the mappings
 * there, relative to it; 'materialize' points them at the original shards by
 * absolute path, for materialize() to read once and store in the copy. Other
 * relative sources (another program's virtual datasets) are pointed at by
 * absolute path, so a copy in another folder still finds them. The edits go
 * through a transaction on the copy.
 */
export async function relinkVirtualCopy(source: string, target: string, outputs: VirtualOutput[], mode: SaveAsVirtual, runId: string): Promise<void> {
  if (outputs.length === 0) return;
  const renames = new Map<string, string>();
  const copied: string[] = [];
  try {
    for (const output of outputs) {
      for (const shard of output.sources) {
        if (mode === 'copy-shards' && isOwnShard(source, shard.resolved) && !shard.missing) {
          const destination = join(shardsRootOf(target), relative(shardsRootOf(source), shard.resolved));
          mkdirSync(dirname(destination), { recursive: true });
          copyFileSync(shard.resolved, destination);
          copied.push(destination);
          renames.set(shard.file, relativeToFile(target, destination));
        } else {
          renames.set(shard.file, shard.resolved);
        }
      }
    }
    const transaction = beginTransaction(target, runId);
    try {
      for (const output of outputs) renameSources(transaction.store, output.dataset, (file) => renames.get(file) ?? file);
      await transaction.commit();
    } finally {
      transaction.rollback();
    }
  } catch (error) {
    removeShards(target, copied);
    throw fsError(error, target, 'copy the virtual datasets\' shards beside it');
  }
}
