import { PHASES, compareLanes, type BlockTiming, type Lane, type PhaseSpan, type RunSummary } from '@shared/run';

export function summarise(blocks: BlockTiming[], runPhases: PhaseSpan[], wallMs: number, rows: number): RunSummary {
  const spans = [...runPhases, ...blocks.flatMap((b) => b.phases)];
  const totals = new Map<string, number>();
  const busy = new Map<Lane, number>();
  for (const span of spans) {
    const ms = Math.max(0, span.end - span.start);
    totals.set(span.phase, (totals.get(span.phase) ?? 0) + ms);
    // Waiting in the queue, or for a thread to start, is not work: it does not make a lane busy.
    if (span.phase !== 'queue' && span.phase !== 'start') busy.set(span.lane, (busy.get(span.lane) ?? 0) + ms);
  }
  const bytesIn = blocks.reduce((sum, b) => sum + b.bytesIn, 0);
  const seconds = Math.max(wallMs, 1e-6) / 1000;
  return {
    wallMs,
    rowsPerSecond: rows / seconds,
    mbPerSecond: bytesIn / 1e6 / seconds,
    phaseTotals: PHASES.filter((p) => totals.has(p)).map((phase) => ({ phase, ms: totals.get(phase) ?? 0 })),
    lanes: [...busy.entries()]
      .sort(([a], [b]) => compareLanes(a, b))
      .map(([lane, busyMs]) => ({ lane, busyMs, utilisation: wallMs > 0 ? busyMs / wallMs : 0 })),
  };
}
