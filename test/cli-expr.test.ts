// `h5blocks run --expr`: the user's own per-row expression on the kernel seam,
// run by inline and pool, compared with the built-in norm bit for bit, with
// numpy for another formula, and refused in one line where it cannot apply.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunHistory } from '../src/main/app/runHistory';
import { lines, runCli } from './support/cli';
import { copyCorpus, makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { systemPython } from './support/paths';

afterAll(() => removeTempFolders());

const shaOf = (stdout: string) => (JSON.parse(stdout) as { outputSha256: string }).outputSha256;

/** h5py's values of a 1-D output, and numpy's float64 evaluation of `formula` over /coords rounded to float32. */
function compare(file: string, output: string, formula: string): { equal: boolean; maxUlp: number } {
  const script = `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    x = f['coords'][:].astype('f8')
    got = f[sys.argv[2]][:]
    i = np.arange(x.shape[0], dtype='f8')
    want = (${formula}).astype('f4')
    ulp = np.abs(got.view('i4').astype('i8') - want.view('i4').astype('i8')).max()
    print(int(np.array_equal(got, want)), int(ulp))
`;
  const [equal, ulp] = execFileSync(systemPython, ['-c', script, file, output], { encoding: 'utf8' }).trim().split(' ').map(Number);
  return { equal: equal === 1, maxUlp: ulp };
}

describe('run --expr', () => {
  it('sqrt(x[0]**2 + x[1]**2) gives the norm kernel\'s bytes, inline and pool, any block size', async () => {
    const folder = makeTempFolder('expr');
    const file = copyCorpus('coords_1k.h5', folder);
    const norm = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'inline', '--json']);
    expect(norm.status).toBe(0);
    for (const [strategy, blockRows] of [['inline', '1000'], ['pool', '300'], ['pool', '7']]) {
      const run = await runCli(['run', file, '--dataset', '/coords', '--strategy', strategy, '--block-rows', blockRows,
        '--expr', 'sqrt(x[0]**2 + x[1]**2)', '--output', `/e_${strategy}_${blockRows}`, '--json']);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(shaOf(run.stdout)).toBe(shaOf(norm.stdout));
    }
  });

  it('i is the row\'s index in the dataset in every block, and a formula matches numpy\'s float64 evaluation rounded once', async () => {
    const folder = makeTempFolder('expr-i');
    const file = copyCorpus('coords_1k.h5', folder);
    const index = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'pool', '--block-rows', '300', '--expr', 'i', '--output', '/index']);
    expect(index.status).toBe(0);
    expect(compare(file, 'index', 'i').equal).toBe(true);
    const hypot = await runCli(['run', file, '--dataset', '/coords', '--block-rows', '128', '--expr', 'hypot(x[0] - 0.5, x[1] - 0.5) + i / 1000', '--output', '/hyp']);
    expect(hypot.status).toBe(0);
    expect(compare(file, 'hyp', 'np.hypot(x[:, 0] - 0.5, x[:, 1] - 0.5) + i / 1000').maxUlp).toBeLessThanOrEqual(1);
  });

  it('NaN and ±Inf are allowed, counted per block in the workers and reported after the run, the same for every strategy', async () => {
    const folder = makeTempFolder('expr-nonfinite');
    const file = copyCorpus('coords_1k.h5', folder);
    // 0/0 on rows 0..2 and 1/0 on row 5, -1/0 on rows 700 and 701 (in another block), x[0] elsewhere.
    const formula = 'where(i < 3, 0 / (i - i), where(i == 5, 1 / (i - 5), where((i == 700) or (i == 701), -1 / (i - i), x[0])))';
    const hashes = new Set<string>();
    for (const [strategy, workers] of [['inline', '1'], ['pool', '2'], ['shard', '2'], ['vds', '2']]) {
      const output = `/ratio_${strategy}`;
      const text = await runCli(['run', file, '--dataset', '/coords', '--strategy', strategy, '--workers', workers, '--block-rows', '256', '--expr', formula, '--output', output]);
      expect(text.stderr).toBe('');
      expect(text.status).toBe(0);
      expect(lines(text.stdout)).toContain(`3 NaN, 1 Inf and 2 -Inf values in ${output} (e.g. a division by zero, the log of 0, or a NaN in the input); written as they are`);
      const json = await runCli(['run', file, '--dataset', '/coords', '--strategy', strategy, '--workers', workers, '--block-rows', '100', '--expr', formula, '--output', output, '--overwrite', '--json']);
      expect(json.status).toBe(0);
      const result = JSON.parse(json.stdout) as { nonFinite: unknown; expression: string; compute: string; outputSha256: string };
      expect(result.nonFinite).toEqual({ nan: 3, posInf: 1, negInf: 2 });
      expect(result.expression).toBe(formula);
      expect(result.compute).toBe('expr');
      hashes.add(result.outputSha256);
    }
    expect(hashes.size).toBe(1);
    const finite = await runCli(['run', file, '--dataset', '/coords', '--expr', 'x[0] + 1', '--output', '/finite', '--json']);
    expect(JSON.parse(finite.stdout).nonFinite).toEqual({ nan: 0, posInf: 0, negInf: 0 });
    const kernel = await runCli(['run', file, '--dataset', '/coords', '--json']);
    expect(JSON.parse(kernel.stdout).nonFinite).toBeUndefined();
  });

  it('the expression is kept with the run: the output\'s provenance, the run\'s JSON, a --dry-run script and an exported script that give the same bytes', async () => {
    const folder = makeTempFolder('expr-kept');
    const file = copyCorpus('coords_1k.h5', folder);
    const formula = 'where(i == 3, 1 / (i - i), x[1] / x[0]) + i';
    const run = await runCli(['run', file, '--dataset', '/coords', '--strategy', 'pool', '--block-rows', '128', '--expr', formula, '--output', '/ratio', '--json']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { expression: string; inputShape: number[]; outputSha256: string };
    expect(result).toMatchObject({ expression: formula, inputShape: [1000, 2], compute: 'expr' });
    const attributes = (output: string) => JSON.parse(execFileSync(systemPython, ['-c', `
import sys, json, h5py
with h5py.File(sys.argv[1], 'r') as f:
    a = f[sys.argv[2]].attrs
    print(json.dumps({k: (v.decode() if isinstance(v, bytes) else str(v)) for k, v in a.items()}))
`, file, output], { encoding: 'utf8' })) as Record<string, string>;
    expect(attributes('ratio')).toMatchObject({ h5blocks_compute: 'expr', h5blocks_expression: formula });

    // --dry-run: a script that performs the plan with the expression's numpy twin, on a local Dask cluster.
    const dry = await runCli(['run', file, '--dataset', '/coords', '--block-rows', '300', '--workers', '2', '--expr', formula, '--output', '/scripted', '--dry-run']);
    expect(dry.stderr).toBe('');
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain(`the expression ${formula} of each row of /coords`);
    expect(dry.stdout).toContain('EXPRESSION_NUMPY = ');
    const script = join(folder, 'dry.py');
    writeFileSync(script, dry.stdout);
    const said = execFileSync(systemPython, [script], { encoding: 'utf8' });
    expect(said).toContain('1 Inf value in /scripted');
    const bytesOf = (output: string) => execFileSync(systemPython, ['-c', 'import sys, h5py; print(h5py.File(sys.argv[1], "r")[sys.argv[2]][:].tobytes().hex())', file, output], { encoding: 'utf8' });
    expect(bytesOf('scripted')).toBe(bytesOf('ratio'));
    expect(attributes('scripted')).toMatchObject({ h5blocks_compute: 'expr', h5blocks_expression: formula });

    // export-script from the run's JSON.
    const runJson = join(folder, 'run.json');
    writeFileSync(runJson, run.stdout);
    const exported = await runCli(['export-script', runJson, '--output', join(folder, 'exported.py')]);
    expect(exported.status).toBe(0);
    const text = readFileSync(join(folder, 'exported.py'), 'utf8');
    expect(text).toContain(`the expression ${formula} of each row of /coords`);
    expect(text).toContain("EXPRESSION_NUMPY = r'''");
    // A record from before the input's shape was kept cannot give the script its columns: one line saying so.
    const { inputShape: _dropped, ...old } = JSON.parse(run.stdout) as Record<string, unknown>;
    writeFileSync(runJson, JSON.stringify(old));
    const refused = await runCli(['export-script', runJson]);
    expect(refused.status).not.toBe(0);
    expect(lines(refused.stderr)).toEqual([expect.stringMatching(/computed an expression but was recorded without its dataset's shape/)]);
  });

  it('Compare\'s like with like: runs of two different expressions on the same dataset are not matched against each other', () => {
    const folder = makeTempFolder('expr-history');
    const history = new RunHistory(folder);
    const base = { file: '/data/a.h5', dataset: '/coords', compute: 'expr', blocks: [], summary: {}, runPhases: [] } as unknown as import('../src/shared/run').RunResult;
    const add = (id: string, expression: string, outputSha256: string, startedAt: string) => history.add({ ...base, id, expression, outputSha256, startedAt, strategy: 'pool' });
    add('a', 'x[0] + 1', 'aaa', '2026-01-01T00:00:01Z');
    add('b', 'x[0] * 2', 'bbb', '2026-01-01T00:00:02Z');
    let records = history.list();
    expect(records.map((r) => r.matchesOthers)).toEqual([null, null]);
    add('c', 'x[0] * 2', 'bbb', '2026-01-01T00:00:03Z');
    records = history.list();
    expect(records.find((r) => r.id === 'c')!.matchesOthers).toBe(true);
    expect(records.find((r) => r.id === 'a')!.matchesOthers).toBeNull();
    expect(records.find((r) => r.id === 'c')!.expression).toBe('x[0] * 2');
  });

  it('is refused in one line, before anything is written: a column out of range, an unknown name, a strategy it does not run with', async () => {
    const folder = makeTempFolder('expr-refused');
    const file = copyCorpus('coords_1k.h5', folder);
    const before = sha256File(file);
    const column = await runCli(['run', file, '--dataset', '/coords', '--expr', 'x[2] / x[0]']);
    expect(column.status).toBe(1);
    expect(lines(column.stderr)).toEqual([expect.stringMatching(/^h5blocks: coords_1k\.h5: \/coords: expression "x\[2\] \/ x\[0\]" at character 3: column 2 is out of range/)]);
    const unknown = await runCli(['run', file, '--dataset', '/coords', '--expr', 'foo(x)']);
    expect(unknown.status).toBe(2);
    expect(lines(unknown.stderr)).toEqual([expect.stringMatching(/at character 1: unknown function "foo"/)]);
    expect(sha256File(file)).toBe(before);
  });
});
