import { readdirSync, readFileSync, realpathSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * Cleans up after a run whose thread was terminated mid-run (a stuck decode,
 * Cancel or SIGTERM while inside HDF5): the run could not remove what it made.
 * The user's file itself was never written (runs write into a staged copy), so
 * removing the copy, the run's lock and its shard scratch leaves it as it was.
 *
 * The one place that knows the run's leftovers by name (staging.ts,
 * fileLock.ts, the shard scratch folder): when the write path gains its own
 * recovery, this becomes a call to it.
 */
export function cleanUpAbandonedRun(file: string, runId: string): void {
  const folder = dirname(file);
  removeQuietly(join(folder, `.${basename(file)}.${runId}.h5blocks-staged`));
  releaseOurLock(file);
  for (const entry of safeList(tmpdir())) {
    if (entry.startsWith(`h5blocks-${runId}-`)) rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}

/** The lock names our pid as its owner: only this process's dead run can have held it. */
function releaseOurLock(file: string): void {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return;
  }
  const lock = join(dirname(real), `.${basename(real)}.h5blocks.lock`);
  let owner = '';
  try {
    owner = readFileSync(lock, 'utf8');
  } catch {
    // No lock: nothing to release.
  }
  if (owner === String(process.pid)) removeQuietly(lock);
  for (const entry of safeList(dirname(real))) {
    if (entry.startsWith(`${basename(lock)}.${process.pid}.`) && entry.endsWith('.pending')) removeQuietly(join(dirname(real), entry));
  }
}

function safeList(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
