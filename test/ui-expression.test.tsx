// @vitest-environment jsdom
// The Run tab's expression box: live validation (the character and the sentence
// under the box), a preview of the first results before running, the run carrying
// the expression, recent expressions offered again, and the expression shown in Compare.
import { execFileSync } from 'node:child_process';
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../src/renderer/src/app/App';
import type { Entity } from '../src/shared/entities';
import type { RunResult } from '../src/shared/run';
import { RECENT_EXPRESSIONS_KEY } from '../src/renderer/src/run/recentExpressions';
import { asRecords, corpusEntities, FakeApi } from './ui-fakeApi';
import { runsToCsv } from '../src/renderer/src/export/runsTable';
import { compareRuns } from '../src/renderer/src/compare/metrics';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { cliScript, projectRoot } from './support/paths';

let coords: Map<string, Entity>;
let dtypes: Map<string, Entity>;

beforeAll(() => {
  coords = corpusEntities('coords_1k.h5');
  dtypes = corpusEntities('dtypes.h5');
});
beforeEach(() => window.localStorage.clear());
afterEach(cleanup);
afterAll(removeTempFolders);

async function openExpressionBox(fake: FakeApi, path: string) {
  render(<App client={fake.client} />);
  const row = await waitFor(() => {
    const found = screen.getAllByTestId('tree-node').find((node) => node.dataset.path === path);
    if (!found) throw new Error(`no ${path} yet`);
    return found;
  });
  fireEvent.click(row);
  fireEvent.click(screen.getByRole('tab', { name: 'Run' }));
  fireEvent.change(await screen.findByTestId('compute-choice'), { target: { value: 'expr' } });
  return screen.getByTestId('expression-input') as HTMLInputElement;
}

function type(input: HTMLInputElement, text: string) {
  fireEvent.change(input, { target: { value: text } });
}

const runButton = () => screen.getByTestId('run-button') as HTMLButtonElement;

describe('the expression box', () => {
  it('says where and why an expression is refused as the user types, and keeps Run disabled', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }] });
    const input = await openExpressionBox(fake, '/coords');
    expect(runButton().disabled).toBe(true);

    // /coords is 1000 × 2: column 2 does not exist.
    type(input, 'hypot(x[0], x[2])');
    const message = await screen.findByTestId('expression-message');
    expect(message.textContent).toBe('At character 15: column 2 is out of range for this dataset: it goes from 0 to 1 (or -2 to -1 from the end)');
    // The refused character is marked in the text shown under the box.
    expect(screen.getByTestId('expression-at').querySelector('mark')?.textContent).toBe('2');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(runButton().disabled).toBe(true);

    type(input, 'x[0] ^ 2');
    await waitFor(() => expect(screen.getByTestId('expression-message').textContent).toMatch(/^At character 6: .*\*\*/));

    type(input, 'foo(x[0])');
    await waitFor(() => expect(screen.getByTestId('expression-message').textContent).toMatch(/^At character 1: .*foo/));
    expect(fake.startRunCalls()).toEqual([]);
    // Every check went to the main process; nothing was computed here.
    expect(fake.calls.filter((c) => c.method === 'previewExpression').every((c) => c.args[0] === 'f1' && c.args[1] === '/coords')).toBe(true);
  });

  it('previews the first 10 results on the first rows, then runs with the expression and the output named after it', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2 });
    const input = await openExpressionBox(fake, '/coords');
    type(input, 'x[0] + 2 * x[1] + i');
    const preview = await screen.findByTestId('expression-preview');
    // The fake's rows: element k is k / 8, so row r is ((2r) / 8, (2r + 1) / 8).
    const expected = Array.from({ length: 10 }, (_, r) => (2 * r) / 8 + (2 * (2 * r + 1)) / 8 + r);
    expect(within(preview).getAllByTestId('preview-value').map((cell) => Number(cell.textContent))).toEqual(expected);
    expect(preview.textContent).toContain('The first 10 of 1,000 results (float32)');
    expect(fake.calls.filter((c) => c.method === 'previewExpression').at(-1)?.args).toEqual(['f1', '/coords', 'x[0] + 2 * x[1] + i']);

    // While the next text is checked, the last answer stays (dimmed, busy) and Run waits for the new one.
    type(input, 'x[0] + 2 * x[1] + i + 1');
    const stale = screen.getByTestId('expression-pending');
    expect(stale.getAttribute('aria-busy')).toBe('true');
    expect(within(stale).getAllByTestId('preview-value')).toHaveLength(10);
    expect(runButton().disabled).toBe(true);
    await waitFor(() => expect(screen.queryByTestId('expression-pending')).toBeNull());
    expect(screen.getAllByTestId('preview-value').map((cell) => Number(cell.textContent))).toEqual(expected.map((v) => v + 1));
    type(input, 'x[0] + 2 * x[1] + i');
    await waitFor(() => expect(screen.queryByTestId('expression-pending')).toBeNull());

    expect(screen.getByTestId('resolved-output').textContent).toContain('/coords_expr');
    await waitFor(() => expect(runButton().disabled).toBe(false));
    fireEvent.click(runButton());
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    const [params] = fake.startRunCalls();
    expect(params).toMatchObject({ dataset: '/coords', expression: 'x[0] + 2 * x[1] + i', output: '/coords_expr' });
    expect(params.compute).toBeUndefined();
  });

  it('checks the output name like any other, and applies the expression to the dataset selected', async () => {
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }] });
    const input = await openExpressionBox(fake, '/vector_1d');
    // A 1-D series: x is a value, not a row.
    type(input, 'x[0] * 2');
    expect((await screen.findByTestId('expression-message')).textContent).toMatch(/^At character 1: rows of this dataset are single values \(it is 1-D\): write x, not x\[0\]/);
    type(input, 'x * 2');
    await screen.findByTestId('expression-preview');
    fireEvent.change(screen.getByLabelText('Output'), { target: { value: 'vector_1d' } });
    expect(screen.getByTestId('resolved-output').textContent).toContain('/vector_1d is the input dataset');
    expect(runButton().disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('Output'), { target: { value: 'a/../b' } });
    expect(screen.getByTestId('resolved-output').textContent).toContain('contains ".."');
  });

  it('says a good expression on a dataset without rows has nothing to preview, and lets it run', async () => {
    const fake = new FakeApi({ files: [{ name: 'dtypes.h5', entities: dtypes }] });
    const input = await openExpressionBox(fake, '/empty_rows');
    type(input, 'x[0] - x[1]');
    expect((await screen.findByTestId('expression-preview-summary')).textContent).toBe('The expression is good (float32 results); nothing to preview: the dataset has no rows.');
    await waitFor(() => expect(runButton().disabled).toBe(false));
  });

  it('offers the expressions run before from the box, newest first, kept across sessions', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2 });
    let input = await openExpressionBox(fake, '/coords');
    expect(screen.queryByTestId('recent-expressions')).toBeNull();
    for (const text of ['hypot(x[0] - 0.5, x[1] - 0.5)', 'x[1] / x[0]']) {
      type(input, text);
      await screen.findByTestId('expression-preview');
      await waitFor(() => expect(runButton().disabled).toBe(false));
      fireEvent.click(runButton());
      await waitFor(() => expect(fake.startRunCalls().at(-1)?.expression).toBe(text));
      // That run ends (cancelled), so Run is free for the next.
      const runId = `run-${fake.startRunCalls().length}`;
      act(() => fake.emit('run', { type: 'failed', runId, error: { code: 'aborted', message: 'coords_1k.h5: run cancelled; the file is unchanged' } }));
    }
    expect(JSON.parse(window.localStorage.getItem(RECENT_EXPRESSIONS_KEY)!)).toEqual(['x[1] / x[0]', 'hypot(x[0] - 0.5, x[1] - 0.5)']);

    // A new session (the page loaded again): the box offers them.
    cleanup();
    input = await openExpressionBox(new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }] }), '/coords');
    const list = screen.getByTestId('recent-expressions');
    expect(input.getAttribute('list')).toBe(list.id);
    expect([...list.querySelectorAll('option')].map((o) => o.value)).toEqual(['x[1] / x[0]', 'hypot(x[0] - 0.5, x[1] - 0.5)']);
  });
});

describe('the run matrix', () => {
  it('runs the Run tab\'s expression in every configuration', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2 });
    const input = await openExpressionBox(fake, '/coords');
    type(input, 'x[1] - x[0]');
    await screen.findByTestId('expression-preview');
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    expect((await screen.findByTestId('matrix-expression', {}, { timeout: 10_000 })).textContent).toBe('x[1] - x[0]');
    fireEvent.click(screen.getByTestId('matrix-start'));
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    expect(fake.startRunCalls()[0]).toMatchObject({ dataset: '/coords', expression: 'x[1] - x[0]', output: '/coords_expr', overwrite: true });
    expect(fake.startRunCalls()[0].compute).toBeUndefined();
  });
});

describe('expression runs in Compare', () => {
  let exprRun: RunResult;
  const text = 'hypot(x[0] - 0.5, x[1] - 0.5)';

  beforeAll(() => {
    const file = copyCorpus('coords_1k.h5', makeTempFolder('ui-expr'));
    exprRun = JSON.parse(execFileSync(process.execPath, [cliScript, 'run', file, '--dataset', '/coords', '--expr', text, '--strategy', 'inline', '--json'], { cwd: projectRoot, encoding: 'utf8' })) as RunResult;
  });

  it('shows the expression of an expression run in the runs table, its details and the group it is compared in', async () => {
    // As the app's history keeps it (the service records the expression with the run).
    const [record, normRecord] = asRecords([
      { ...exprRun, expression: exprRun.expression ?? text },
      { ...exprRun, id: 'norm-run', compute: 'norm', expression: undefined },
    ], '/data/coords_1k.h5');
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], runs: [record, normRecord] });
    render(<App client={fake.client} />);
    await screen.findByRole('tree');
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    await screen.findByTestId('compare-view', {}, { timeout: 10_000 });
    const row = screen.getAllByTestId('compare-row').find((r) => r.dataset.runId === record.id)!;
    expect(within(row).getByTestId('run-expression').textContent).toBe(` · ${text}`);
    fireEvent.click(within(row).getByRole('button', { name: /^Details of run/ }));
    expect(screen.getByTestId('run-details-expression').textContent).toBe(text);
    // An expression is compared with runs of the same expression, not with the norm's.
    const groups = screen.getByRole('combobox', { name: 'File and dataset' }) as HTMLSelectElement;
    expect([...groups.options].map((o) => o.textContent).sort()).toEqual(['coords_1k.h5 /coords', `coords_1k.h5 /coords (${text})`]);
    const normRow = screen.getAllByTestId('compare-row').find((r) => r.dataset.runId === 'norm-run')!;
    expect(within(normRow).queryByTestId('run-expression')).toBeNull();
  });

  it('says after the run how many NaN and ±Inf the expression wrote, there and in the run\'s details', async () => {
    const fake = new FakeApi({ files: [{ name: 'coords_1k.h5', entities: coords }], cores: 2 });
    const input = await openExpressionBox(fake, '/coords');
    type(input, 'x[1] / x[0]');
    await waitFor(() => expect(runButton().disabled).toBe(false));
    fireEvent.click(runButton());
    await waitFor(() => expect(fake.startRunCalls()).toHaveLength(1));
    const [record] = asRecords([{ ...exprRun, id: 'run-1', expression: 'x[1] / x[0]', nonFinite: { nan: 0, posInf: 1, negInf: 0 } }], '/data/coords_1k.h5');
    fake.runs = [record];
    act(() => fake.emit('run', { type: 'finished', result: record }));
    expect((await screen.findByTestId('run-non-finite')).textContent).toBe('; the expression gave 1 ±Inf (written as they are)');
    fireEvent.click(screen.getByRole('tab', { name: 'Compare' }));
    await screen.findByTestId('compare-view', {}, { timeout: 10_000 });
    fireEvent.click(screen.getByRole('button', { name: /^Details of run/ }));
    expect(screen.getByTestId('run-details').textContent).toContain('the expression x[1] / x[0] · wrote 1 ±Inf');
  });

  it('exports the expression with the run (CSV: its own column, quoted as it has commas)', () => {
    const [record] = asRecords([{ ...exprRun, expression: exprRun.expression ?? text }], '/data/coords_1k.h5');
    const csv = runsToCsv(compareRuns([record]));
    const [header, line] = csv.split('\r\n');
    expect(header.split(',').slice(-2)).toEqual(['compute', 'expression']);
    expect(line.endsWith(`,expr,"${text}"`)).toBe(true);
  });
});
