// The Run tab's expression box as the main process answers it: previewExpression
// checks an expression against a dataset and computes its first results in the
// file's I/O thread (checked against numpy on the same file, written by h5py),
// and a run started with an expression keeps it in the history.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenFile, RunEvent, RunRecord } from '../src/shared/api';
import { decodeExpressionPreview, type ExpressionPreview } from '../src/shared/expression';
import { AppService } from '../src/main/app/service';
import { validateCall } from '../src/shared/apiSchema';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';
import { rejection } from './support/rejection';

const WRITE = `
import sys, h5py, numpy as np
rng = np.random.default_rng(11)
with h5py.File(sys.argv[1], 'w') as f:
    rows = rng.normal(size=(500, 3)).astype('f4')
    rows[2, 0] = 0          # x[2] / x[0]: ±Inf
    rows[4, :] = np.nan     # NaN in, NaN out
    f.create_dataset('rows', data=rows, chunks=(100, 3), compression='gzip')
    f.create_dataset('frames', data=np.zeros((3, 1100, 1000), 'u2'))
    f.create_dataset('names', data=[b'a', b'b'])
`;

let service: AppService;
let file: OpenFile;
let path: string;

beforeAll(async () => {
  const folder = makeTempFolder('app-expression');
  path = join(folder, 'expr.h5');
  execFileSync(systemPython, ['-c', WRITE, path]);
  service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('app-expression-user') });
  file = await service.openPath(path);
}, 120_000);

afterAll(async () => {
  await service?.dispose();
  removeTempFolders();
});

/** As the renderer's client receives it (NaN and ±Inf back as numbers). */
async function preview(dataset: string, expression: string): Promise<ExpressionPreview> {
  return decodeExpressionPreview(JSON.parse(JSON.stringify(await service.previewExpression(file.id, dataset, expression))) as ExpressionPreview);
}

describe('previewExpression', () => {
  it('gives the first 10 results numpy gives on the same rows, with their inputs and the NaN and ±Inf among them', async () => {
    const result = await preview('/rows', 'x[2] / x[0]');
    const expected = JSON.parse(execFileSync(systemPython, ['-c', `
import sys, json, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    x = f['rows'][:10].astype('f8')
with np.errstate(all='ignore'):
    v = (x[:, 2] / x[:, 0]).astype('f4').astype('f8')
enc = lambda a: [repr(float(t)) for t in a]
print(json.dumps({'values': enc(v), 'inputs': [enc(r) for r in x], 'nan': int(np.isnan(v).sum()), 'inf': int(np.isinf(v).sum()), 'posinf': int(np.isposinf(v).sum()), 'neginf': int(np.isneginf(v).sum())}))
`, path], { encoding: 'utf8' })) as { values: string[]; inputs: string[][]; nan: number; inf: number; posinf: number; neginf: number };
    const asNumbers = (texts: string[]) => texts.map((t) => (t === 'nan' ? Number.NaN : t === 'inf' ? Infinity : t === '-inf' ? -Infinity : Number(t)));
    expect(result).toMatchObject({ ok: true, outputType: 'float32', rows: 500, nonFinite: { nan: expected.nan, posInf: expected.posinf, negInf: expected.neginf } });
    if (!result.ok) throw new Error('unreachable');
    expect(result.values).toEqual(asNumbers(expected.values));
    expect(result.inputs).toEqual(expected.inputs.map(asNumbers));
    expect(expected.nan).toBe(1);
    expect(expected.inf).toBe(1);
  });

  it('refuses with the character and the sentence: a column out of range for this dataset, unknown names, too long', async () => {
    expect(await preview('/rows', 'x[0] + x[3]')).toEqual({
      ok: false, position: 10, message: 'column 3 is out of range for this dataset: it goes from 0 to 2 (or -3 to -1 from the end)',
    });
    const unknown = await preview('/rows', 'process.exit(1)');
    expect(unknown).toMatchObject({ ok: false, position: 1 });
    const long = await preview('/rows', `x[0]${' + 1'.repeat(300)}`);
    expect(long).toEqual({ ok: false, position: 1001, message: 'the expression is 1204 characters long; at most 1000 are allowed' });
  });

  it('reads a bounded number of values: rows larger than the limit are not previewed, and it says so', async () => {
    const result = await preview('/frames', 'max(x) - min(x)');
    expect(result).toMatchObject({ ok: true, rows: 3, values: [] });
    if (!result.ok) throw new Error('unreachable');
    expect(result.note).toContain('1,100,000 values');
    expect(result.note).toContain('at most 1,000,000');
  });

  it('refuses a dataset no run can use in one line naming the file and object', async () => {
    const error = await rejection(service.previewExpression(file.id, '/names', 'x'));
    expect(error.code).toBe('unsupported-dataset');
    expect(error.message).toMatch(/^expr\.h5: \/names: /);
    expect(error.message).not.toContain('\n');
  });
});

describe('previewExpression on every numeric type', () => {
  it('reads the first rows as the run does (either byte order, float16, 64-bit integers, NaN and Inf) and gives numpy\'s figures', async () => {
    const folder = makeTempFolder('app-expression-dtypes');
    const dtypes = copyCorpus('dtypes.h5', folder);
    const own = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('app-expression-dtypes-user') });
    try {
      const opened = await own.openPath(dtypes);
      const names = ['be_f4', 'be_f8', 'be_i2', 'le_f2', 'le_i1', 'le_u4', 'le_i8', 'le_u8', 'special_values', 'empty_rows'];
      const expected = JSON.parse(execFileSync(systemPython, ['-c', `
import sys, json, h5py, numpy as np
out = {}
with h5py.File(sys.argv[1], 'r') as f:
    for name in sys.argv[2:]:
        d = f[name]
        x = d[:10].astype('f8')
        narrow = d.dtype.kind == 'f' and d.dtype.itemsize <= 4 or d.dtype.kind in 'iu' and d.dtype.itemsize <= 2
        with np.errstate(all='ignore'):
            v = (x[:, 1] * 2 - x[:, 0]).astype('f4' if narrow else 'f8')
        out[name] = {'type': 'float32' if narrow else 'float64', 'values': [repr(float(t)) for t in v]}
print(json.dumps(out))
`, dtypes, ...names], { encoding: 'utf8' })) as Record<string, { type: string; values: string[] }>;
      for (const name of names) {
        const result = decodeExpressionPreview(JSON.parse(JSON.stringify(await own.previewExpression(opened.id, `/${name}`, 'x[1] * 2 - x[0]'))) as ExpressionPreview);
        const want = expected[name].values.map((t) => (t === 'nan' ? Number.NaN : t === 'inf' ? Infinity : t === '-inf' ? -Infinity : Number(t)));
        expect({ name, result }).toMatchObject({ name, result: { ok: true, outputType: expected[name].type, values: want } });
      }
    } finally {
      await own.dispose();
    }
  }, 60_000);
});

describe('a run with an expression', () => {
  it('runs it and keeps the expression with the run in the history', async () => {
    const ended = new Promise<RunEvent>((resolve) => service.subscribe((event, payload) => {
      if (event === 'run' && (payload as RunEvent).type !== 'progress') resolve(payload as RunEvent);
    }));
    const expression = 'hypot(x[0] - 0.5, x[1] - 0.5)';
    await service.startRun({ fileId: file.id, dataset: '/rows', expression, strategy: 'inline', workers: 1, output: '/from_centre' });
    const end = await ended;
    if (end.type !== 'finished') throw new Error(`the run failed: ${JSON.stringify(end)}`);
    expect(end.result).toMatchObject({ output: '/from_centre', expression, compute: 'expr' });
    const [record] = (await service.listRuns()).filter((r: RunRecord) => r.output === '/from_centre');
    expect(record.expression).toBe(expression);
    const written = execFileSync(systemPython, ['-c', `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], 'r') as f:
    x = f['rows'][:].astype('f8')
    out = f['from_centre'][:]
print(out.dtype, bool(np.array_equal(out, np.hypot(x[:, 0] - 0.5, x[:, 1] - 0.5).astype('f4'), equal_nan=True)))
`, path], { encoding: 'utf8' }).trim();
    expect(written).toBe('float32 True');
  }, 60_000);
});

describe('the calls a page may make', () => {
  it('checks the expression argument before anything runs', () => {
    const refused = (method: string, args: unknown[]) => {
      try {
        validateCall(method, args);
      } catch (error) {
        return (error as Error).message;
      }
      return null;
    };
    expect(refused('previewExpression', ['abc', '/coords', 'x[0]'])).toBeNull();
    expect(refused('previewExpression', ['abc', '/coords', ''])).toBe('previewExpression: argument 3 must not be empty');
    expect(refused('previewExpression', ['abc', '/coords', 'x\0'])).toBe('previewExpression: argument 3 must not contain a NUL character');
    expect(refused('previewExpression', ['abc', '/coords', 'x'.repeat(10_001)])).toBe('previewExpression: argument 3 must be at most 10000 characters');
    expect(refused('startRun', [{ fileId: 'abc', dataset: '/coords', expression: 'x[0]', strategy: 'pool', workers: 2 }])).toBeNull();
    expect(refused('startRun', [{ fileId: 'abc', dataset: '/coords', expression: 42, strategy: 'pool', workers: 2 }])).toMatch(/^startRun: argument 1\.expression /);
  });
});
