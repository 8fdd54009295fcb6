// getOverview: a whole dataset reduced in the file's I/O thread, checked
// against numpy on the same file (written by h5py, gzip-chunked, with NaNs).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenFile } from '../src/shared/api';
import { decodeOverview, type Overview } from '../src/shared/overview';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';
import { rejection } from './support/rejection';

const WRITE = `
import sys, h5py, numpy as np
rng = np.random.default_rng(7)
with h5py.File(sys.argv[1], 'w') as f:
    line = rng.normal(size=2_500_003).astype('f4')
    line[[5, 1_000_000, 2_500_002]] = np.nan
    f.create_dataset('line', data=line, chunks=(65536,), compression='gzip')
    f.create_dataset('points', data=rng.normal(size=(1_200_000, 3)).astype('f8'), chunks=(100000, 3), compression='gzip')
    f.create_dataset('wide', data=np.arange(3 * 70 * 20_000, dtype='u2').reshape(3, 70, 20_000) % 1000)
    f.create_dataset('names', data=[b'a', b'b'])
    pos = np.dtype([('u', 'i4'), ('v', 'i4')])
    rec = np.dtype([('x', 'f8'), ('label', h5py.string_dtype()), ('pos', pos)])
    f.create_dataset('records', data=np.array([(0.5, 'first', (1, 2)), (-1.25, 'second', (3, 4))], rec))
`;

/** numpy's answer for the same reduction, as JSON. */
function numpy(file: string, code: string): unknown {
  const script = `import sys, json, h5py, numpy as np\nf = h5py.File(sys.argv[1], 'r')\n${code}`;
  return JSON.parse(execFileSync(systemPython, ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }));
}

let service: AppService;
let file: OpenFile;
let path: string;

beforeAll(async () => {
  const folder = makeTempFolder('overview');
  path = join(folder, 'overview.h5');
  execFileSync(systemPython, ['-c', WRITE, path]);
  service = new AppService({ host: serveHost(new AllowedRoots([folder])), userDataDir: makeTempFolder('overview-user') });
  file = await service.openPath(path);
}, 120_000);

afterAll(async () => {
  await service?.dispose();
  removeTempFolders();
});

const overview = async (dataset: string, request: Parameters<AppService['getOverview']>[2]) => decodeOverview(await service.getOverview(file.id, dataset, request));

describe('getOverview', () => {
  it('gives each bin of a 1-D dataset the min and max numpy finds, NaNs left out', async () => {
    const line = await overview('/line', { kind: 'line', bins: 1000 }) as Extract<Overview, { kind: 'line' }>;
    expect(line).toMatchObject({ length: 2_500_003, start: 0, stop: 2_500_003, exact: false });
    const expected = numpy(path, `
d = f['line'][()]
edges = np.ceil(np.arange(1001) * (len(d) / 1000)).astype(np.int64)
print(json.dumps([[float(np.nanmin(d[a:b])), float(np.nanmax(d[a:b]))] for a, b in zip(edges[:-1], edges[1:])]))`) as [number, number][];
    expect(line.min).toEqual(expected.map(([min]) => min));
    expect(line.max).toEqual(expected.map(([, max]) => max));
  }, 60_000);

  it('returns the values themselves once the range is no longer than the bins', async () => {
    const window = await overview('/line', { kind: 'line', bins: 100, start: 999_990, stop: 1_000_010 }) as Extract<Overview, { kind: 'line' }>;
    expect(window.exact).toBe(true);
    const expected = numpy(path, `print(json.dumps([None if np.isnan(x) else float(x) for x in f['line'][999_990:1_000_010]]))`) as (number | null)[];
    expect(window.min.map((v) => (Number.isNaN(v) ? null : v))).toEqual(expected);
  });

  it('samples every step-th row of an N × 3 point set', async () => {
    const points = await overview('/points', { kind: 'points', maxPoints: 50_000 }) as Extract<Overview, { kind: 'points' }>;
    expect(points).toMatchObject({ rows: 1_200_000, columns: 3, step: 24, sampled: 50_000 });
    const expected = numpy(path, `print(json.dumps(f['points'][::24].ravel().tolist()))`) as number[];
    expect(points.values).toEqual(expected);
  }, 60_000);

  it('averages an image slice into blocks so that no side passes the limit', async () => {
    const image = await overview('/wide', { kind: 'image', index: [2], maxSide: 4096 }) as Extract<Overview, { kind: 'image' }>;
    expect(image).toMatchObject({ height: 70, width: 20_000, factor: 5, shape: [14, 4000] });
    const expected = numpy(path, `print(json.dumps(f['wide'][2].astype('f8').reshape(14, 5, 4000, 5).mean(axis=(1, 3)).ravel().tolist()))`) as number[];
    expect(image.values.length).toBe(expected.length);
    image.values.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 9));
  });

  it('refuses what it cannot reduce in one line naming the object', async () => {
    expect((await rejection(service.getOverview(file.id, '/names', { kind: 'line', bins: 10 }))).message).toMatch(/overview\.h5: \/names: holds no numbers/);
    expect((await rejection(service.getOverview(file.id, '/wide', { kind: 'image', index: [3], maxSide: 100 }))).message).toMatch(/index 3 is outside dimension 0/);
  });

  it('reads a compound one field at a time when asked, nested fields named with dots', async () => {
    const slice = await service.getValue(file.id, '/records', [[0, 2]], { fields: true });
    expect(slice.fields).toEqual(['x', 'label', 'pos.u', 'pos.v']);
    expect(slice.values).toEqual(['0.5', 'first', '1', '2', '-1.25', 'second', '3', '4']);
    // Without the option a record stays one text, as before.
    expect((await service.getValue(file.id, '/records', [[0, 1]])).values).toEqual(['{x: 0.5, label: "first", pos: {u: 1, v: 2}}']);
  });
});
