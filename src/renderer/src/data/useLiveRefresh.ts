import { useEffect, useRef, useState } from 'react';
import type { OpenFile } from '@shared/api';
import { useWorkspace } from '../workspace/workspace';

/** The Live switch's pace choices, in milliseconds; about once a second by default. */
export const LIVE_INTERVALS_MS = [500, 1_000, 2_000, 5_000] as const;
export const DEFAULT_LIVE_INTERVAL_MS = 1_000;

export interface LiveRefresh {
  on: boolean;
  setOn(on: boolean): void;
  intervalMs: number;
  setIntervalMs(ms: number): void;
  /** Goes up at each refresh: views key their data on it to read the dataset again. */
  tick: number;
}

/**
 * Reads the selected object again at a steady pace while Live is on: on by
 * default for a file a SWMR writer has open, off otherwise, and off by itself
 * (after one last refresh) once the writer closes the file.
 */
export function useLiveRefresh(file: OpenFile, path: string): LiveRefresh {
  const { actions } = useWorkspace();
  const writing = file.beingWritten === true;
  const [on, setOn] = useState(writing);
  const [intervalMs, setIntervalMs] = useState(DEFAULT_LIVE_INTERVAL_MS);
  const [tick, setTick] = useState(0);
  const wasWriting = useRef(writing);

  useEffect(() => {
    if (writing && !wasWriting.current) setOn(true);
    if (!writing && wasWriting.current) {
      // The writer closed the file: show its last state, then stop.
      void actions.refresh(file.id, [path]).then(() => setTick((t) => t + 1));
      setOn(false);
    }
    wasWriting.current = writing;
  }, [writing, actions, file.id, path]);

  useEffect(() => {
    if (!on) return undefined;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return; // A slow read is not stacked on by the next one.
      busy = true;
      void actions.refresh(file.id, [path]).finally(() => {
        busy = false;
        setTick((t) => t + 1);
      });
    }, intervalMs);
    return () => clearInterval(timer);
  }, [on, intervalMs, actions, file.id, path]);

  return { on, setOn, intervalMs, setIntervalMs, tick };
}
