import { recoverLiveRun } from '../run/liveRun';
import { recoverFile } from '../transaction/recovery';

/**
 * Cleans up after a run whose thread was terminated mid-run (a stuck decode,
 * Cancel or SIGTERM while inside HDF5): the run could not finish or undo its
 * transaction itself. Recovery rolls its log back (the file cut to its original
 * length), and treats its lock and shard scratch as a dead run's; a live run's
 * status flags are cleared and its unfinished output removed (in the background).
 */
export function cleanUpAbandonedRun(file: string, runId: string): void {
  recoverFile(file, { abandonedRunId: runId });
  void recoverLiveRun(file, { abandonedRunId: runId }).catch(() => undefined);
}
