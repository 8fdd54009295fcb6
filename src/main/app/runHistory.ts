import { basename, join } from 'node:path';
import type { RunRecord } from '@shared/api';
import { likeWithLikeKey, type RunResult } from '@shared/run';
import { JsonStore } from './jsonStore';

/** Oldest runs beyond this are dropped: each run keeps every block's timing, and the history must stay quick to load. */
export const MAX_KEPT_RUNS = 500;

/**
 * Every finished run, oldest first, kept in runs.json in the user-data folder
 * across restarts. Whether a run agrees with the others is worked out when the
 * list is read, so it stays true as runs are added or cleared.
 */
export class RunHistory {
  private readonly store: JsonStore<RunResult[]>;
  private runs: RunResult[];

  constructor(userDataDir: string, private readonly onSaveFailed: (error: unknown) => void = () => undefined) {
    this.store = new JsonStore(join(userDataDir, 'runs.json'), () => [], acceptRuns);
    this.runs = this.store.read();
  }

  list(): RunRecord[] {
    return this.runs.map((run) => this.record(run));
  }

  has(runId: string): boolean {
    return this.runs.some((run) => run.id === runId);
  }

  add(result: RunResult): RunRecord {
    // Another h5blocks (the desktop app beside `serve`) may have added runs since we loaded.
    const onDisk = this.store.read();
    const known = new Set(this.runs.map((run) => run.id));
    this.runs = [...this.runs, ...onDisk.filter((run) => !known.has(run.id)), result]
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt))
      .slice(-MAX_KEPT_RUNS);
    this.save();
    return this.record(result);
  }

  clear(): void {
    this.runs = [];
    this.save();
  }

  private save(): void {
    try {
      this.store.write(this.runs);
    } catch (error) {
      this.onSaveFailed(error);
    }
  }

  private record(run: RunResult): RunRecord {
    // Like with like: the same file, dataset and kernel (runs recorded before kernels computed the norm), or the same expression.
    const key = likeWithLikeKey(run);
    const others = this.runs.filter((other) => other.id !== run.id && likeWithLikeKey(other) === key);
    const pool = run.strategy === 'pool' ? [] : others.filter((other) => other.strategy === 'pool');
    return {
      ...run,
      fileName: basename(run.file),
      matchesOthers: others.length === 0 ? null : others.every((other) => other.outputSha256 === run.outputSha256),
      matchesPool: pool.length === 0 ? null : pool.every((other) => other.outputSha256 === run.outputSha256),
    };
  }
}

function acceptRuns(data: unknown): RunResult[] | undefined {
  if (!Array.isArray(data)) return undefined;
  return data.filter(looksLikeRun);
}

function looksLikeRun(item: unknown): item is RunResult {
  if (!item || typeof item !== 'object') return false;
  const run = item as Partial<RunResult>;
  return typeof run.id === 'string' && typeof run.file === 'string' && typeof run.dataset === 'string'
    && typeof run.outputSha256 === 'string' && typeof run.startedAt === 'string' && Array.isArray(run.blocks)
    && typeof run.summary === 'object' && run.summary !== null;
}
