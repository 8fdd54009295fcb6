// The CLI as a user meets it: child processes of `node bin/h5blocks.js`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../src/shared/run';
import { lines, runCli, type CliResult } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { projectRoot } from './support/paths';
import { describe as describeWithH5py, type AttributeValue, type Described } from './support/reference';

let folder: string;
beforeAll(() => {
  folder = makeTempFolder('cli');
});
afterAll(() => removeTempFolders());

type DescribedDataset = Extract<Described, { kind: 'dataset' }>;

interface TreeNode {
  kind: string;
  path: string;
  name: string;
  shape?: number[] | null;
  dtype?: { numpy?: string; description: string };
  layout?: string;
  chunks?: number[] | null;
  filters?: { id: number; name: string }[];
  attributes?: { name: string; value: AttributeValue }[];
  target?: string;
  children?: TreeNode[];
}

function flatten(node: TreeNode, into = new Map<string, TreeNode>()): Map<string, TreeNode> {
  into.set(node.path, node);
  for (const child of node.children ?? []) flatten(child, into);
  return into;
}

function expectCleanSuccess(result: CliResult): void {
  expect(result.stderr).toBe('');
  expect(result).toMatchObject({ status: 0, signal: null });
}

describe('h5blocks tree', () => {
  let structure: string;
  let layouts: string;

  beforeAll(() => {
    structure = copyCorpus('structure.h5', folder);
    copyCorpus('coords_1k.h5', folder); // the external link's target, beside the file
    layouts = copyCorpus('layouts.h5', folder);
  });

  it('prints shapes, dtypes, layout, chunks and filters of layouts.h5 as h5py reports them', async () => {
    const result = await runCli(['tree', layouts]);
    expectCleanSuccess(result);
    const printed = lines(result.stdout);
    const paths = ['/contiguous', '/chunked', '/chunked_odd', '/gzip', '/shuffle_gzip', '/fletcher32', '/compact', '/extendible'];
    const h5py = await describeWithH5py(layouts, paths);
    const filterNames: Record<number, string> = { 1: 'gzip', 2: 'shuffle', 3: 'fletcher32' };
    for (const path of paths) {
      const expected = h5py[path] as DescribedDataset;
      const line = printed.find((l) => l.trim().startsWith(`${path.slice(1)}  `));
      expect(line, path).toBeDefined();
      expect(line).toContain(expected.shape.join(' × '));
      expect(line).toContain(expected.dtype);
      if (expected.chunks) expect(line).toContain(`chunked, chunks ${expected.chunks.join(' × ')}`);
      else expect(line).not.toContain('chunks');
      if (expected.filters.length > 0) expect(line).toContain(`filters ${expected.filters.map((id) => filterNames[id]).join('+')}`);
      else expect(line).not.toContain('filters');
    }
  });

  it('prints groups, attributes with values, links and UTF-8 names of structure.h5', async () => {
    const result = await runCli(['tree', structure]);
    expectCleanSuccess(result);
    const text = result.stdout;
    expect(text).toContain('@title = "structure sample"');
    expect(text).toContain('@version = 3');
    expect(text).toContain('@ratios = [0.5,0.25]');
    expect(text).toContain('@units = "mm"');
    expect(text).toMatch(/coords {2}2048 × 2, <f4/);
    expect(text).toContain('latest -> /experiment/run_001/detector/coords  (soft link)');
    expect(text).toContain('dangling -> /does/not/exist  (broken soft link)');
    expect(text).toContain('external -> coords_1k.h5:/coords  (external link)');
    expect(text).toContain('external_missing -> missing_file.h5:/coords  (external link, file missing)');
    expect(text).toContain('données/');
    expect(text).toMatch(/測定 {2}64 × 2, <f4/);
    expect(text).toMatch(/point_t {2}named datatype: compound/);
    expect(lines(text).filter((l) => /^\s+g\d{4}\/$/.test(l))).toHaveLength(2000);
  });

  it('--json prints the whole tree as one JSON object that agrees with h5py', async () => {
    const result = await runCli(['tree', structure, '--json']);
    expectCleanSuccess(result);
    const tree = JSON.parse(result.stdout) as { file: string; root: TreeNode };
    expect(tree.file).toBe(structure);
    const nodes = flatten(tree.root);
    const paths = ['/', '/experiment/run_001/detector/coords', '/données/測定', '/colors', '/many'];
    const h5py = await describeWithH5py(structure, paths);
    for (const path of paths) {
      const node = nodes.get(path)!;
      const expected = h5py[path] as { kind: string; attributes: Record<string, AttributeValue> };
      expect(node.kind, path).toBe(expected.kind);
      expect(Object.fromEntries((node.attributes ?? []).map((a) => [a.name, a.value])), path).toEqual(expected.attributes);
      if (expected.kind === 'dataset') expect(node.shape, path).toEqual((expected as DescribedDataset).shape);
    }
    expect(nodes.get('/many')!.children).toHaveLength(2000);
    expect(nodes.get('/experiment/latest')).toMatchObject({ kind: 'soft-link', target: '/experiment/run_001/detector/coords' });

    const layoutsJson = JSON.parse((await runCli(['tree', layouts, '--json'])).stdout) as { root: TreeNode };
    const shuffled = flatten(layoutsJson.root).get('/shuffle_gzip')!;
    expect(shuffled).toMatchObject({ layout: 'chunked', chunks: [8192, 2], shape: [100003, 2] });
    const h5pyShuffled = (await describeWithH5py(layouts, ['/shuffle_gzip']))['/shuffle_gzip'] as DescribedDataset;
    expect(shuffled.filters!.map((f) => f.id)).toEqual(h5pyShuffled.filters);
    expect(shuffled.dtype!.numpy).toBe('<f4');
  });
});

describe('h5blocks run --json', () => {
  it('prints one JSON object with the run and every block\'s timed phases', async () => {
    const file = copyCorpus('coords_1k.h5', folder, 'cli_run.h5');
    const result = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'shard', '--workers', '3', '--block-rows', '300', '--json']);
    expectCleanSuccess(result);
    expect(lines(result.stdout)).toHaveLength(1);
    const run = JSON.parse(result.stdout) as RunResult;
    expect(run).toMatchObject({ rows: 1000, columns: 2, strategy: 'shard', workers: 3, blockRows: 300, output: '/distances', dataset: '/coords' });
    expect(run.wallMs).toBeGreaterThan(0);
    expect(run.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.blocks.map((b) => [b.rowStart, b.rowEnd])).toEqual([[0, 300], [300, 600], [600, 900], [900, 1000]]);
    for (const block of run.blocks) {
      expect(block.phases.length).toBeGreaterThan(0);
      for (const phase of block.phases) {
        expect(phase.lane === 'main' || typeof phase.lane === 'number').toBe(true);
        expect(typeof phase.start).toBe('number');
        expect(typeof phase.end).toBe('number');
      }
    }
  });
});

describe('h5blocks errors: exit 1 or 2, exactly one line on stderr, no stack trace, never a signal', () => {
  const cases: { name: string; args: () => string[]; status: number; says: RegExp; unchanged?: () => string }[] = [
    { name: 'missing file', args: () => ['run', join(folder, 'no_such_file.h5'), '--dataset', '/coords'], status: 1, says: /no_such_file\.h5: no such file/ },
    { name: 'tree of a missing file', args: () => ['tree', join(folder, 'no_such_file.h5')], status: 1, says: /no_such_file\.h5: no such file/ },
    { name: 'not HDF5', args: () => ['run', copyCorpus('not_hdf5.h5', folder), '--dataset', '/coords'], status: 1, says: /not_hdf5\.h5: .*not an HDF5 file/i },
    { name: 'tree of a truncated file', args: () => ['tree', copyCorpus('truncated.h5', folder)], status: 1, says: /truncated\.h5: .*truncated/ },
    { name: 'std of a 1-D dataset', args: () => ['run', copyCorpus('dtypes.h5', folder), '--dataset', '/vector_1d', '--compute', 'std'], status: 1, says: /dtypes\.h5: \/vector_1d: is 1-D: .*`std` does not apply/ },
    { name: 'an unknown kernel', args: () => ['run', copyCorpus('coords_1k.h5', folder, 'errs.h5'), '--dataset', '/coords', '--compute', 'median'], status: 2, says: /--compute.*median.*norm, l1, maxabs, sum, mean, min, max, std, nan-count/ },
    { name: 'a missing dataset', args: () => ['run', copyCorpus('coords_1k.h5', folder, 'errs.h5'), '--dataset', '/nope'], status: 1, says: /errs\.h5: \/nope: no such dataset/ },
    { name: '--workers 0', args: () => ['run', copyCorpus('coords_1k.h5', folder, 'errs.h5'), '--dataset', '/coords', '--workers', '0'], status: 2, says: /--workers.*'0'.*1 to 64/ },
    { name: '--workers 65', args: () => ['run', copyCorpus('coords_1k.h5', folder, 'errs.h5'), '--dataset', '/coords', '--workers', '65'], status: 2, says: /--workers.*'65'.*1 to 64/ },
    { name: 'unknown strategy', args: () => ['run', copyCorpus('coords_1k.h5', folder, 'errs.h5'), '--dataset', '/coords', '--strategy', 'magic'], status: 2, says: /magic.*inline, pool, shard/ },
    { name: 'no --dataset', args: () => ['run', copyCorpus('coords_1k.h5', folder, 'errs.h5')], status: 2, says: /--dataset/ },
    {
      name: 'existing output without --overwrite',
      args: () => ['run', copyCorpus('coords_with_distances.h5', folder), '--dataset', '/coords'],
      status: 1, says: /coords_with_distances\.h5: \/distances already exists/,
      unchanged: () => join(folder, 'coords_with_distances.h5'),
    },
  ];

  it.each(cases)('$name', async ({ args, status, says, unchanged }) => {
    const argv = args();
    const before = unchanged ? sha256File(unchanged()) : undefined;
    const result = await runCli(argv);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(status);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(says);
    expect(result.stderr).not.toContain('    at ');
    expect(result.stdout).toBe('');
    if (unchanged) expect(sha256File(unchanged())).toBe(before);
  });
});

describe('h5wasm in a process that looks like Electron (navigator.userAgent says Chrome)', () => {
  const electronUserAgent =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) h5blocks/0.1.0 Chrome/140.0.0.0 Electron/45.0.0 Safari/537.36';
  const preload = join(projectRoot, 'test/support/chrome-navigator.mjs');

  async function treeWithChromeNavigator(configurable: boolean): Promise<{ result: CliResult; navigator: { sameObject: boolean; userAgent: string } }> {
    const file = copyCorpus('coords_1k.h5', folder, 'navigator.h5');
    const report = join(folder, `navigator-${configurable}.json`);
    const result = await runCli(['tree', file], {
      nodeArgs: ['--import', preload],
      env: { H5BLOCKS_TEST_USER_AGENT: electronUserAgent, H5BLOCKS_TEST_REPORT: report, H5BLOCKS_TEST_NAVIGATOR_CONFIGURABLE: String(configurable) },
    });
    return { result, navigator: JSON.parse(readFileSync(report, 'utf8')) as { sameObject: boolean; userAgent: string } };
  }

  it('the built CLI loads h5wasm and reads the file, and navigator is restored afterwards', async () => {
    const { result, navigator } = await treeWithChromeNavigator(true);
    expectCleanSuccess(result);
    expect(result.stdout).toMatch(/coords {2}1000 × 2, <f4/);
    expect(navigator).toEqual({ sameObject: true, userAgent: electronUserAgent });
  });

  it('control: a navigator that cannot be hidden does break h5wasm (so the test above exercises the workaround)', async () => {
    const { result } = await treeWithChromeNavigator(false);
    expect(result.status).toBe(1);
    expect(result.signal).toBeNull();
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/Chrome/);
  });
});
