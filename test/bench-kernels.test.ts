// `h5blocks bench --only stack-sum stats`: each case alternates h5blocks and
// h5py + numpy as whole processes for --pairs rounds and reports medians with
// their spread and peak memory (no timing is asserted: speed belongs to the
// bench itself).
import { describe, expect, it } from 'vitest';
import { runCli } from './support/cli';

interface Side { medianSeconds: number; minSeconds: number; maxSeconds: number; medianCpuSeconds: number; medianPeakRssMb: number }

describe('bench --only stack-sum stats', () => {
  it('alternates both sides for the rounds asked and gives the ratio of their medians', async () => {
    const bench = await runCli(['bench', '--only', 'stack-sum', 'stats', '--rows', '20000', '--stack-frames', '4', '--pairs', '2', '--json']);
    expect(bench.status, bench.stderr).toBe(0);
    const report = JSON.parse(bench.stdout) as { kernelCases: { case: string; rounds: number; h5blocks: Side; numpy: Side; ratio: number; status: string; h5blocksCommand: string }[] };
    expect(report.kernelCases.map((c) => c.case)).toEqual(['stack-sum', 'stats']);
    for (const row of report.kernelCases) {
      expect(row.rounds).toBe(2);
      for (const side of [row.h5blocks, row.numpy]) {
        expect(side.minSeconds).toBeGreaterThan(0);
        expect(side.minSeconds).toBeLessThanOrEqual(side.medianSeconds);
        expect(side.medianSeconds).toBeLessThanOrEqual(side.maxSeconds);
        expect(side.medianPeakRssMb).toBeGreaterThan(1);
      }
      expect(row.ratio).toBeCloseTo(row.numpy.medianSeconds / row.h5blocks.medianSeconds, 9);
      expect(row.status).toBe(row.ratio >= 1.5 ? 'PASS' : 'FAIL');
    }
    expect(report.kernelCases[0].h5blocksCommand).toBe('h5blocks run FILE --dataset /stack --compute sum');
    expect(report.kernelCases[1].h5blocksCommand).toBe('h5blocks stats FILE --dataset /coords');
  }, 300_000);
});
