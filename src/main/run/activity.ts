// What each lane of a running run is doing now, for a timeline drawn while the
// run goes: a block reports its phases only when it is written, and worker
// start-up only with a worker's first block, which on a large run is seconds
// (or the whole run) later. Strategies say when a lane starts a phase; workers
// say it from their own thread over a BroadcastChannel named after the run.

import { BroadcastChannel } from 'node:worker_threads';
import type { ActiveSpan, Lane, Phase } from '@shared/run';

/** What a worker posts when it starts a block's phase. */
export interface WorkerActivity {
  lane: number;
  phase: Phase;
  /** Epoch ms. */
  at: number;
  /** The block's first row, which names the block. */
  firstRow?: number;
}

export function activityChannelName(runId: string): string {
  return `h5blocks-activity:${runId}`;
}

export class RunActivity {
  private readonly lanes = new Map<string, ActiveSpan>();
  /** Blocks whose results are in: a worker's report that arrives after its result is old news. */
  private readonly finished = new Set<number>();
  private channel: BroadcastChannel | undefined;

  constructor(private readonly runStart: number) {}

  /** `lane` starts `phase` at epoch ms `at` (replacing what it was doing). */
  begin(lane: Lane, phase: Phase, at: number, more: { step?: string; block?: number } = {}): void {
    if (more.block !== undefined && this.finished.has(more.block)) return;
    this.lanes.set(String(lane), { phase, lane, start: at - this.runStart, ...more });
  }

  /** `lane` has reported what it did (its spans are in a block or the run's phases now). */
  end(lane: Lane): void {
    this.lanes.delete(String(lane));
  }

  /** Ends `lane`'s span only if it is still this phase (a later begin is kept). */
  endPhase(lane: Lane, phase: Phase): void {
    if (this.lanes.get(String(lane))?.phase === phase) this.end(lane);
  }

  /** `lane` has handed in `block`: its span ends unless the lane has moved on to another block. */
  blockDone(lane: Lane, block: number): void {
    this.finished.add(block);
    const current = this.lanes.get(String(lane));
    if (current && (current.block === undefined || current.block === block)) this.end(lane);
  }

  now(): ActiveSpan[] {
    return [...this.lanes.values()];
  }

  /** Listens for workers' reports on the run's channel; `blockOf` turns a first row into a block index. */
  listen(runId: string, blockOf: (firstRow: number) => number | undefined): void {
    const channel = new BroadcastChannel(activityChannelName(runId));
    channel.onmessage = (event) => {
      const { lane, phase, at, firstRow } = (event as { data: WorkerActivity }).data;
      const block = firstRow === undefined ? undefined : blockOf(firstRow);
      this.begin(lane, phase, at, block === undefined ? {} : { block });
    };
    // A run's listener never keeps its thread alive.
    (channel as unknown as { unref?: () => void }).unref?.();
    this.channel = channel;
  }

  close(): void {
    this.channel?.close();
    this.channel = undefined;
    this.lanes.clear();
    this.finished.clear();
  }
}

/** A worker's side: one channel per run, kept while the worker's tasks are that run's. */
let workerChannel: { name: string; channel: BroadcastChannel } | undefined;

export function reportWorkerActivity(channelName: string | undefined, report: WorkerActivity): void {
  if (!channelName) return;
  if (workerChannel?.name !== channelName) {
    workerChannel?.channel.close();
    const channel = new BroadcastChannel(channelName);
    (channel as unknown as { unref?: () => void }).unref?.();
    workerChannel = { name: channelName, channel };
  }
  workerChannel.channel.postMessage(report);
}
