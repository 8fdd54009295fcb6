import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Strategy } from '../../src/shared/run';
import { projectRoot } from './paths';

/** One way of running the same computation; every variant must give the same bytes. */
export interface Variant {
  label: string;
  strategy: Strategy;
  workers: number;
  blockRows?: number;
}

/** Every strategy, with its default block size and with 1000-row blocks, on 3 workers. */
export function standardVariants(): Variant[] {
  return [
    { label: 'inline-default', strategy: 'inline', workers: 1 },
    { label: 'pool-3-default', strategy: 'pool', workers: 3 },
    { label: 'shard-3-default', strategy: 'shard', workers: 3 },
    { label: 'pool-3-1000', strategy: 'pool', workers: 3, blockRows: 1000 },
    { label: 'shard-3-1000', strategy: 'shard', workers: 3, blockRows: 1000 },
  ];
}

/**
 * One worker and tiny blocks (1 and 7 rows), anchored on an inline run with
 * default blocks. Tiny blocks only where they stay cheap: a shard block costs a
 * file open and a shard file, so shards get 7-row blocks only on small datasets.
 */
export function smallBlockVariants(rows: number): Variant[] {
  const variants: Variant[] = [{ label: 'inline-default', strategy: 'inline', workers: 1 }];
  if (rows <= 10_000) {
    variants.push(
      { label: 'inline-1', strategy: 'inline', workers: 1, blockRows: 1 },
      { label: 'pool-1-7', strategy: 'pool', workers: 1, blockRows: 7 },
      { label: rows <= 1000 ? 'shard-1-7' : 'shard-1-1000', strategy: 'shard', workers: 1, blockRows: rows <= 1000 ? 7 : 1000 },
    );
  } else {
    variants.push(
      { label: 'inline-1000', strategy: 'inline', workers: 1, blockRows: 1000 },
      // Not a multiple of any chunk height: blocks straddle chunks.
      { label: 'pool-1-777', strategy: 'pool', workers: 1, blockRows: 777 },
      { label: 'shard-1-1000', strategy: 'shard', workers: 1, blockRows: 1000 },
    );
  }
  return variants;
}

/** The version the app stamps into provenance, read from package.json rather than from the app. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}
