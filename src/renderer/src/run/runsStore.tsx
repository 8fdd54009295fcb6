import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { AppInfo, RunParams, RunRecord } from '@shared/api';
import { toErrorInfo, type ErrorCode, type ErrorInfo } from '@shared/errors';
import type { BlockTiming, RunActivityReport, RunProgress } from '@shared/run';
import { useApi } from '../app/apiContext';
import { useNavigation } from '../app/navigation';
import { useNotifier } from '../app/notifications';
import { formatDuration, formatInteger } from '../format/units';
import { useWorkspace } from '../workspace/workspace';
import { parentPath } from '../workspace/paths';

export type LiveStatus = 'running' | 'finished' | 'failed';

/** A run as the renderer sees it while it goes: what was asked, the blocks so far, and how it ended. */
export interface LiveRun {
  runId: string;
  params: RunParams;
  fileName: string;
  progress: RunProgress | null;
  /** What its lanes are doing now and its own spans so far (the latest of a progress event's or an activity report's). */
  activity: Pick<RunActivityReport, 'active' | 'runPhases' | 'elapsedMs'> | null;
  blocks: BlockTiming[];
  status: LiveStatus;
  error?: ErrorInfo;
  result?: RunRecord;
  /** When this page started the run (Date.now()), for a clock that ticks before the first block ends. */
  startedAtMs: number;
  /** What the run will do, as the form planned it with the engine's own rule; null when not known. */
  plan: LivePlan | null;
}

export interface LivePlan {
  blocks: number;
  rows: number;
  blockRows: number;
  workers: number;
}

export interface StartOptions {
  /** After the run, announce it and show the output in the tree, leaving the input selected (a run matrix does not). */
  openOutput: boolean;
  /** Failures with these codes are the caller's to explain (the collision dialog); others become a toast. */
  handledErrors?: ErrorCode[];
  /** The block plan, so the progress and the Timeline say what happens from the first moment. */
  plan?: LivePlan;
}

interface Runs {
  appInfo: AppInfo | null;
  records: RunRecord[];
  /** The current run, or the last one started in this window. */
  live: LiveRun | null;
  start(params: RunParams, fileName: string, options: StartOptions): Promise<string>;
  /** Resolves with the finished record, rejects with the failure's ErrorInfo. */
  waitFor(runId: string): Promise<RunRecord>;
  cancel(): Promise<void>;
  clear(): Promise<void>;
  reload(): Promise<void>;
}

interface Outcome {
  result?: RunRecord;
  error?: ErrorInfo;
}

const RunsContext = createContext<Runs | null>(null);

// Progress can arrive hundreds of times a second; four screen updates a second read as live.
const FLUSH_MS = 250;
const KEPT_OUTCOMES = 20;

export function RunsProvider({ children }: { children: ReactNode }) {
  const { api, subscribe } = useApi();
  const { notifyError, notify } = useNotifier();
  const { actions: workspace } = useWorkspace();
  const navigation = useNavigation();
  const [appInfo, setAppInfo] = useState<AppInfo | null>(null);
  const [records, setRecords] = useState<RunRecord[]>([]);
  const [live, setLive] = useState<LiveRun | null>(null);

  // Events can beat startRun's reply, so everything is kept per run id until someone asks.
  const liveRef = useRef<LiveRun | null>(null);
  const progressBuffer = useRef(new Map<string, { progress: RunProgress | null; activity: LiveRun['activity']; blocks: BlockTiming[] }>());
  const outcomes = useRef(new Map<string, Outcome>());
  const waiters = useRef(new Map<string, ((outcome: Outcome) => void)[]>());
  const started = useRef(new Map<string, { params: RunParams; options: StartOptions }>());
  const flushTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const latest = useRef({ workspace, navigation, notify, notifyError });
  latest.current = { workspace, navigation, notify, notifyError };

  const reload = useCallback(async () => {
    try {
      setRecords(await api.listRuns());
    } catch (error) {
      notifyError(error, 'Loading the run history');
    }
  }, [api, notifyError]);

  const publish = useCallback(() => {
    flushTimer.current = null;
    const current = liveRef.current;
    if (!current) return;
    const buffered = progressBuffer.current.get(current.runId);
    const outcome = outcomes.current.get(current.runId);
    const next: LiveRun = {
      ...current,
      progress: buffered?.progress ?? current.progress,
      activity: buffered?.activity ?? current.activity,
      blocks: buffered ? [...buffered.blocks] : current.blocks,
      status: outcome ? (outcome.error ? 'failed' : 'finished') : 'running',
      error: outcome?.error,
      result: outcome?.result,
    };
    liveRef.current = next;
    setLive(next);
  }, []);

  const schedulePublish = useCallback((immediately: boolean) => {
    if (immediately) {
      if (flushTimer.current) clearTimeout(flushTimer.current);
      publish();
    } else if (!flushTimer.current) {
      flushTimer.current = setTimeout(publish, FLUSH_MS);
    }
  }, [publish]);

  // Runs once both the outcome and the request are known, whichever arrives last.
  const afterFinished = useCallback((runId: string) => {
    const outcome = outcomes.current.get(runId);
    const request = started.current.get(runId);
    if (!outcome?.result || !request) return;
    const { result } = outcome;
    const { workspace: ws, notify: say } = latest.current;
    // The run replaced the file: the output's group has a new child and the output may be new.
    void ws.refresh(request.params.fileId, [parentPath(result.output), result.output]);
    if (request.options.openOutput) {
      say(`${result.fileName} ${result.output}: ${formatInteger(result.rows)} rows in ${formatDuration(result.wallMs)} (${result.strategy})`, 'success');
      // The selection stays on the input, so the Run tab keeps its form ready for the next run; the
      // tree shows the new output (its groups opened), and the Run tab links to it.
      ws.reveal(request.params.fileId, result.output);
    }
  }, []);

  const settle = useCallback((runId: string, outcome: Outcome) => {
    outcomes.current.set(runId, outcome);
    // Outcomes are kept only for a waitFor that comes late; the oldest go first.
    for (const old of [...outcomes.current.keys()].slice(0, Math.max(0, outcomes.current.size - KEPT_OUTCOMES))) outcomes.current.delete(old);
    afterFinished(runId);
    for (const waiter of waiters.current.get(runId) ?? []) waiter(outcome);
    waiters.current.delete(runId);
  }, [afterFinished]);

  useEffect(() => {
    api.appInfo().then(setAppInfo, (error: unknown) => notifyError(error, 'Asking the app for its details'));
    void reload();
    const unsubscribe = subscribe('run', (event) => {
      if (event.type === 'progress') {
        const { progress } = event;
        const entry = progressBuffer.current.get(progress.runId) ?? { progress: null, activity: null, blocks: [] };
        entry.progress = progress;
        if (progress.active) entry.activity = { active: progress.active, runPhases: progress.runPhases ?? [], elapsedMs: progress.elapsedMs };
        if (progress.block) entry.blocks.push(progress.block);
        progressBuffer.current.set(progress.runId, entry);
        if (liveRef.current?.runId === progress.runId) schedulePublish(false);
        return;
      }
      if (event.type === 'finished') {
        const { result } = event;
        settle(result.id, { result });
        void reload();
        if (liveRef.current?.runId === result.id) schedulePublish(true);
        // The record carries every block now; the streamed copy is no longer needed.
        progressBuffer.current.delete(result.id);
        return;
      }
      const error = event.error;
      settle(event.runId, { error });
      const handled = started.current.get(event.runId)?.options.handledErrors ?? [];
      // A cancel is what the user asked for: a note, not an error.
      if (error.code === 'aborted') latest.current.notify(error.message);
      else if (!handled.includes(error.code)) latest.current.notifyError(error, 'The run');
      if (liveRef.current?.runId === event.runId) schedulePublish(true);
      progressBuffer.current.delete(event.runId);
    });
    const unsubscribeActivity = subscribe('runActivity', (activity) => {
      const entry = progressBuffer.current.get(activity.runId) ?? { progress: null, activity: null, blocks: [] };
      entry.activity = activity;
      progressBuffer.current.set(activity.runId, entry);
      if (liveRef.current?.runId === activity.runId) schedulePublish(false);
    });
    return () => {
      unsubscribe();
      unsubscribeActivity();
      if (flushTimer.current) clearTimeout(flushTimer.current);
    };
  }, [api, subscribe, reload, notifyError, schedulePublish, settle]);

  const start = useCallback(async (params: RunParams, fileName: string, startOptions: StartOptions) => {
    const requestedAt = Date.now();
    const { runId } = await api.startRun(params);
    started.current.set(runId, { params, options: startOptions });
    liveRef.current = { runId, params, fileName, progress: null, activity: null, blocks: [], status: 'running', startedAtMs: requestedAt, plan: startOptions.plan ?? null };
    // The Timeline switches to the new run at once, whatever run it showed.
    latest.current.navigation.followLiveRun();
    schedulePublish(true);
    afterFinished(runId);
    return runId;
  }, [api, schedulePublish, afterFinished]);

  const waitFor = useCallback((runId: string) => new Promise<RunRecord>((resolve, reject) => {
    const deliver = (outcome: Outcome) => (outcome.result ? resolve(outcome.result) : reject(outcome.error));
    const known = outcomes.current.get(runId);
    if (known) return deliver(known);
    waiters.current.set(runId, [...(waiters.current.get(runId) ?? []), deliver]);
  }), []);

  const cancel = useCallback(async () => {
    const current = liveRef.current;
    if (!current || current.status !== 'running') return;
    try {
      await api.cancelRun(current.runId);
    } catch (error) {
      notifyError(toErrorInfo(error), 'Cancelling the run');
    }
  }, [api, notifyError]);

  const clear = useCallback(async () => {
    try {
      await api.clearRuns();
      await reload();
    } catch (error) {
      notifyError(error, 'Clearing the run history');
    }
  }, [api, notifyError, reload]);

  const value = useMemo<Runs>(() => ({ appInfo, records, live, start, waitFor, cancel, clear, reload }),
    [appInfo, records, live, start, waitFor, cancel, clear, reload]);
  return <RunsContext.Provider value={value}>{children}</RunsContext.Provider>;
}

export function useRuns(): Runs {
  const runs = useContext(RunsContext);
  if (!runs) throw new Error('useRuns outside RunsProvider');
  return runs;
}
