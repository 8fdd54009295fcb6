// In `serve`, a virtual dataset's values come only from sources inside the served
// folders: a source outside is refused in one line naming it, however it is named
// (relatively here) and however often it is asked, never read as fill values.
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetEntity } from '../src/shared/entities';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';
import { rejection } from './support/rejection';

let served: string;
let outside: string;
let service: AppService;

beforeAll(() => {
  served = makeTempFolder('vds-served');
  outside = makeTempFolder('vds-outside');
  const script = [
    'import h5py, numpy as np, sys, os',
    'served, outside = sys.argv[1], sys.argv[2]',
    'with h5py.File(os.path.join(outside, "source.h5"), "w") as f: f["data"] = np.full((50, 2), 5.0, "f4")',
    'with h5py.File(os.path.join(served, "inside_source.h5"), "w") as f: f["data"] = np.full((50, 2), 3.0, "f4")',
    'layout = h5py.VirtualLayout(shape=(100, 2), dtype="f4")',
    'layout[:50] = h5py.VirtualSource("inside_source.h5", "data", shape=(50, 2))',
    'layout[50:] = h5py.VirtualSource(sys.argv[3], "data", shape=(50, 2))',
    'with h5py.File(os.path.join(served, "mixed.h5"), "w", libver="latest") as f: f.create_virtual_dataset("data", layout, fillvalue=0)',
  ].join('\n');
  execFileSync(systemPython, ['-c', script, served, outside, relative(served, join(outside, 'source.h5'))]);
  service = new AppService({ host: serveHost(new AllowedRoots([served])), userDataDir: makeTempFolder('vds-user') });
});

afterAll(async () => {
  await service.dispose();
  removeTempFolders();
});

describe('a virtual source outside the served folders', () => {
  it('is marked outside in the description, and values are refused naming it, every time', async () => {
    const file = await service.openPath(join(served, 'mixed.h5'));
    const entity = (await service.getEntity(file.id, '/data')) as DatasetEntity;
    const sources = entity.externalSources ?? [];
    expect(sources.find((s) => s.file.endsWith('source.h5') && s.file !== 'inside_source.h5')).toMatchObject({ kind: 'virtual-source', outside: true });
    expect(sources.find((s) => s.file === 'inside_source.h5')?.outside).toBeUndefined();
    for (const ranges of [[[0, 100], [0, 2]], [[60, 70], [0, 2]], [[0, 100], [0, 2]]] as [number, number][][]) {
      const error = await rejection(service.getValue(file.id, '/data', ranges));
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain('mixed.h5: /data');
      expect(error.message).toContain(join(outside, 'source.h5'));
      expect(error.message).toContain('outside the folders');
      expect(error.message).not.toMatch(/\n/);
    }
  });
});
