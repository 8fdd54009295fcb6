// @vitest-environment jsdom
// The Timeline tab: one lane per worker plus main, blocks in the lanes that ran them, live drawing, tables.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { Entity } from '../src/shared/entities';
import type { ActiveSpan, RunResult } from '../src/shared/run';
import { asRecords, corpusEntities, FakeApi, realRun } from './ui-fakeApi';
import { removeTempFolders } from './support/files';
import { formatDuration } from '../src/renderer/src/format/units';
import { timelineBars, timelineFromRecord, timelineLanes } from '../src/renderer/src/timeline/model';

let coords: Map<string, Entity>;
let pool: RunResult;
let shard: RunResult;

beforeAll(() => {
  coords = corpusEntities('coords_1k.h5');
  pool = realRun('coords_1k.h5', 'pool', 2, 200);
  shard = realRun('coords_1k.h5', 'shard', 2, 100);
});
afterEach(cleanup);
afterAll(removeTempFolders);

/** Worker lanes are named in thread-id order: the lowest thread id is worker 1. */
function expectedWorkerName(run: RunResult, thread: number): string {
  const threads = [...new Set(run.blocks.flatMap((b) => b.phases).map((s) => s.lane).filter((l): l is number => l !== 'main'))].sort((a, b) => a - b);
  return `worker ${threads.indexOf(thread) + 1}`;
}

async function showTimeline(fake: FakeApi) {
  render(<App client={fake.client} />);
  await screen.findByRole('tree');
  fireEvent.click(screen.getByRole('tab', { name: 'Timeline' }));
  return screen.findByTestId('timeline-chart', {}, { timeout: 10_000 });
}

describe('timeline', () => {
  for (const which of ['pool', 'shard'] as const) {
    it(`gives a ${which} run one lane per worker plus main, and puts each block in the lane that computed it`, async () => {
      const run = which === 'pool' ? pool : shard;
      const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: asRecords([run]) });
      const chart = await showTimeline(fake);
      expect(chart.dataset.lanes).toBe('main,worker 1,worker 2');
      const spans = run.blocks.reduce((n, b) => n + b.phases.length, 0) + run.runPhases.length;
      expect(Number(chart.dataset.bars)).toBe(spans);
      // The lane names are drawn on the chart's axis (SVG text).
      await waitFor(() => {
        const axisText = [...chart.querySelectorAll('text')].map((t) => t.textContent);
        expect(axisText).toEqual(expect.arrayContaining(['main', 'worker 1', 'worker 2']));
      });

      const rows = within(screen.getByTestId('blocks-table')).getAllByTestId('block-row');
      expect(rows).toHaveLength(run.blocks.length);
      for (const block of run.blocks) {
        const compute = block.phases.find((s) => s.phase === 'compute')!;
        const row = rows.find((r) => r.dataset.block === String(block.index))!;
        expect(row.dataset.lane).toBe(expectedWorkerName(run, compute.lane as number));
      }
      const lanes = within(screen.getByTestId('utilisation')).getAllByRole('row').slice(1).map((r) => r.querySelector('th')?.textContent);
      expect(lanes).toEqual(['main', 'worker 1', 'worker 2']);
      expect(screen.getByTestId('phase-legend').textContent).toContain('compute');
      expect(screen.getByTestId('duration-histogram')).toBeTruthy();
    });
  }

  it('gives each block the Start where its first bar is drawn (its queue wait, drawn thin, excluded)', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: asRecords([pool]) });
    await showTimeline(fake);
    const run = timelineFromRecord(asRecords([pool])[0]);
    const bars = timelineBars(run, timelineLanes(run));
    const rows = within(screen.getByTestId('blocks-table')).getAllByTestId('block-row');
    expect(rows).toHaveLength(pool.blocks.length);
    for (const row of rows) {
      const b = run.blocks.findIndex((block) => String(block.index) === row.dataset.block);
      const drawn = Math.min(...bars.filter((bar) => bar.block === b && bar.phase !== 'queue').map((bar) => bar.start));
      expect(row.querySelectorAll('td')[3].textContent).toBe(formatDuration(drawn));
    }
  });

  it('shows workers that received no block as idle lanes', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: asRecords([{ ...pool, workers: 4 }]) });
    const chart = await showTimeline(fake);
    expect(chart.dataset.lanes).toBe('main,worker 1,worker 2,worker 3,worker 4');
    const utilisation = within(screen.getByTestId('utilisation')).getAllByRole('row');
    expect(utilisation[4].getAttribute('title')).toBe('idle: received no block');
  });

  it('sorts the block table by a column', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: asRecords([shard]) });
    await showTimeline(fake);
    const table = screen.getByTestId('blocks-table');
    fireEvent.click(within(table).getByRole('button', { name: /Duration/ }));
    const header = within(table).getByRole('button', { name: /Duration/ }).closest('th')!;
    expect(header.getAttribute('aria-sort')).toBe('ascending');
    const durations = shard.blocks.map((b) => {
      const work = b.phases.filter((s) => s.phase !== 'queue');
      return { index: b.index, ms: Math.max(...work.map((s) => s.end)) - Math.min(...work.map((s) => s.start)) };
    });
    const ascending = [...durations].sort((a, b) => a.ms - b.ms).map((d) => String(d.index));
    expect(within(table).getAllByTestId('block-row').map((r) => r.dataset.block)).toEqual(ascending);
    fireEvent.click(within(table).getByRole('button', { name: /Duration/ }));
    expect(within(table).getAllByTestId('block-row').map((r) => r.dataset.block)).toEqual([...ascending].reverse());
  });

  it('draws a run live, block by block, from progress events', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2 });
    render(<App client={fake.client} />);
    fireEvent.click(await waitFor(() => {
      const row = screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/coords');
      if (!row) throw new Error('no /coords row yet');
      return row;
    }));
    fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
    fireEvent.click(await screen.findByTestId('run-button'));
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    fireEvent.click(screen.getByRole('tab', { name: 'Timeline' }));

    const send = (count: number) => act(() => {
      const block = pool.blocks[count - 1];
      fake.emit('run', { type: 'progress', progress: {
        runId: 'run-1', blocksDone: count, blocksTotal: pool.blocks.length, rowsDone: block.rowEnd, rowsTotal: 1000,
        elapsedMs: Math.max(...block.phases.map((s) => s.end)), rowsPerSecond: 1000, etaMs: 100, block,
      } });
    });
    const barsOf = (count: number) => pool.blocks.slice(0, count).reduce((n, b) => n + b.phases.length, 0);
    send(1);
    await waitFor(() => expect(Number(screen.getByTestId('timeline-chart').dataset.bars)).toBe(barsOf(1)), { timeout: 10_000 });
    send(2);
    send(3);
    // Live updates are batched: the chart catches up within a second, the block table waits for the end.
    await waitFor(() => expect(Number(screen.getByTestId('timeline-chart').dataset.bars)).toBe(barsOf(3)), { timeout: 5_000 });
    expect(screen.queryAllByTestId('block-row')).toHaveLength(0);
    expect(screen.getByTestId('timeline-live-note')).toBeTruthy();
    expect(screen.getByTestId('timeline-run-picker').textContent).toContain('(running)');
  });

  it('shows a new run from its first moment: every worker lane, work in progress, a ticking clock and what happens, even over a run picked before', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2, runs: asRecords([pool]) });
    render(<App client={fake.client} />);
    fireEvent.click(await waitFor(() => {
      const row = screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/coords');
      if (!row) throw new Error('no /coords row yet');
      return row;
    }));
    // The user looked at an earlier run's timeline.
    fireEvent.click(screen.getByRole('tab', { name: 'Timeline' }));
    fireEvent.change(await screen.findByTestId('timeline-run-picker', {}, { timeout: 10_000 }), { target: { value: pool.id } });
    fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
    fireEvent.change(await screen.findByLabelText('Block rows'), { target: { value: '200' } });
    fireEvent.click(screen.getByLabelText('shard'));
    fireEvent.click(screen.getByTestId('run-button'));
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    // Before any block reports, the progress card already says what happens and what is planned.
    await waitFor(() => expect(screen.getByTestId('run-stage').textContent).toBe('starting 2 workers for 5 blocks…'));
    expect(screen.getByTestId('run-stats').textContent).toContain('0 / 5 blocks');
    expect(screen.getByTestId('run-stats').textContent).toContain('0 / 1,000 rows');

    fireEvent.click(screen.getByRole('tab', { name: 'Timeline' }));
    const chart = await screen.findByTestId('timeline-chart');
    expect(chart.dataset.lanes).toBe('main,worker 1,worker 2');
    expect(screen.getByTestId('timeline-run-picker').textContent).toContain('(running)');
    expect(screen.getByTestId('timeline-live-stage').textContent).toMatch(/^starting 2 workers for 5 blocks… · /);
    // The clock moves on its own while no block has reported, and the workers' rows show work under way.
    const first = screen.getByTestId('timeline-clock').textContent;
    await waitFor(() => expect(screen.getByTestId('timeline-clock').textContent).not.toBe(first), { timeout: 5_000 });
    await waitFor(() => expect(Number(screen.getByTestId('timeline-chart').dataset.pending)).toBe(2), { timeout: 5_000 });
  });

  it('draws the phases under way from the engine\'s activity reports, and says them in words', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2 });
    render(<App client={fake.client} />);
    fireEvent.click(await waitFor(() => {
      const row = screen.getAllByTestId('tree-node').find((n) => n.dataset.path === '/coords');
      if (!row) throw new Error('no /coords row yet');
      return row;
    }));
    fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
    fireEvent.change(await screen.findByLabelText('Block rows'), { target: { value: '200' } });
    fireEvent.click(screen.getByLabelText('pool'));
    fireEvent.click(screen.getByTestId('run-button'));
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    fireEvent.click(screen.getByRole('tab', { name: 'Timeline' }));
    // Between blocks the engine reports what each lane is doing (runActivity); a finished block's progress event carries it too.
    const between = (active: ActiveSpan[]) => act(() => {
      fake.emit('runActivity', { runId: 'run-1', elapsedMs: 120, active, runPhases: [{ phase: 'log', lane: 'main', start: 10, end: 30 }] });
    });
    const blockDone = (active: ActiveSpan[]) => act(() => {
      // Block 1 (index 0) as worker 1 (thread 7) ran it.
      const block = { ...pool.blocks[0], index: 0, phases: pool.blocks[0].phases.map((span) => ({ ...span, lane: span.lane === 'main' ? 'main' as const : 7 })) };
      fake.emit('run', { type: 'progress', progress: {
        runId: 'run-1', blocksDone: 1, blocksTotal: 5, rowsDone: block.rowEnd, rowsTotal: 1000, elapsedMs: 250, rowsPerSecond: 0, etaMs: null,
        block, active, runPhases: [{ phase: 'log', lane: 'main', start: 10, end: 30 }],
      } });
    });

    // Two workers starting up (threads 7 and 9): their lanes are theirs from the first report, drawn as start-up under way.
    between([{ phase: 'start', lane: 7, step: 'worker', start: 5 }, { phase: 'start', lane: 9, step: 'worker', start: 5 }]);
    await waitFor(() => expect(screen.getByTestId('timeline-chart').dataset.active).toBe('worker 1:start,worker 2:start'), { timeout: 5_000 });
    expect(screen.getByTestId('timeline-chart').dataset.lanes).toBe('main,worker 1,worker 2');
    expect(screen.getByTestId('timeline-live-stage').textContent).toMatch(/^starting 2 workers… · /);
    // The run's own finished spans (the write-ahead log) are drawn before the run ends.
    expect(screen.getByTestId('phase-legend').textContent).toContain('log');

    // Then: the main thread reads block 3 while worker 1 computes block 2 (blocks counted from 1 in words).
    blockDone([{ phase: 'read', lane: 'main', start: 200, block: 2 }, { phase: 'compute', lane: 7, start: 180, block: 1 }]);
    await waitFor(() => expect(screen.getByTestId('timeline-chart').dataset.active).toBe('main:read,worker 1:compute'), { timeout: 5_000 });
    expect(screen.getByTestId('timeline-live-stage').textContent).toMatch(/^reading block 3 of 5… · computing block 2 of 5… · /);
    fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
    expect(screen.getByTestId('run-stage').textContent).toMatch(/^reading block 3 of 5… · computing block 2 of 5…/);
    expect(screen.getByTestId('run-stats').textContent).toContain('1 / 5 blocks');
  });
});
