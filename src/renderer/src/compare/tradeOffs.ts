import type { Strategy } from '@shared/run';

/** What each strategy costs and buys, for the comparison: speed alone does not tell which output a reader gets. */
export const STRATEGY_TRADE_OFFS: Partial<Record<Strategy, string>> = {
  pool: 'pool: the main thread reads every block and writes the output; workers only compute.',
  shard: 'shard: workers read and write shard files in parallel, then the main thread merges them into the output (the merge phase).',
  vds: 'vds: no merge — the workers\' shards are the output, a virtual dataset mapping one file per block in a folder beside the file. '
    + 'The run saves the merge, but the folder must move with the file, and every reader pays for opening the sources; materialize stores the values in the file.',
};
