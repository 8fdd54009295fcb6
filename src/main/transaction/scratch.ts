import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRunning, thisProcess } from './processIdentity';

// Shard files live in a folder whose name says which run of which process made
// it (h5blocks-run-PID-START-RUNID), so anyone can tell a dead run's folder from
// a live one's without a registry: the next run and the app's start remove it.

const PATTERN = /^h5blocks-run-(\d+)-(\d*)-(.+)$/;

export interface RunScratch {
  path: string;
  remove(): void;
}

/** Where a run of this process keeps its scratch (the folder need not exist yet). */
export function runScratchPath(runId: string, root = tmpdir()): string {
  const me = thisProcess();
  return join(root, `h5blocks-run-${me.pid}-${me.start}-${runId}`);
}

export function createRunScratch(runId: string, root = tmpdir()): RunScratch {
  const path = runScratchPath(runId, root);
  mkdirSync(path, { recursive: true, mode: 0o700 });
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Removes scratch folders of runs that are no longer running (or were abandoned in this process). */
export function removeDeadScratch(options: { abandonedRunId?: string } = {}, root = tmpdir()): void {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  const me = thisProcess();
  for (const entry of entries) {
    const match = PATTERN.exec(entry);
    if (!match) continue;
    const [, pid, start, runId] = match;
    const abandoned = options.abandonedRunId === runId && Number(pid) === me.pid && start === me.start;
    if (abandoned || !isRunning({ pid: Number(pid), start, boot: '' })) {
      try {
        rmSync(join(root, entry), { recursive: true, force: true });
      } catch {
        // Another user's folder, or already removed by another process.
      }
    }
  }
}
