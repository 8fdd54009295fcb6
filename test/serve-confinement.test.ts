// `h5blocks serve --root DIR`: files inside DIR whose values lie outside it (external raw
// storage, external links absolute and relative, a virtual dataset's source) must not
// leak them through getValue, getEntity or startRun; links that stay inside keep working.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../src/shared/api';
import type { DatasetEntity } from '../src/shared/entities';
import { AppService } from '../src/main/app/service';
import { AllowedRoots } from '../src/main/server/allowedRoots';
import { serveHost } from '../src/main/server/serveHost';
import { makeTempFolder, removeTempFolders, runLeftoversBeside, sha256File } from './support/files';
import { projectRoot, systemPython } from './support/paths';
import { rejection } from './support/rejection';

interface Case {
  file: string;
  /** The dataset, reached through the link where there is one. */
  dataset: string;
  /** What the refusal must name as the target. */
  target: () => string;
  /** getEntity describes these without reading values, and names the outside file. */
  describedSource?: () => string;
}

let served: string;
let outside: string;
let service: AppService;

const CASES: Case[] = [
  { file: 'external_passwd.h5', dataset: '/data', target: () => '/etc/passwd', describedSource: () => '/etc/passwd' },
  { file: 'external_sibling.h5', dataset: '/data', target: () => join(outside, 'raw.bin'), describedSource: () => join(outside, 'raw.bin') },
  { file: 'link_absolute.h5', dataset: '/ext/data', target: () => join(outside, 'secret.h5') },
  { file: 'link_relative.h5', dataset: '/ext/data', target: () => join(outside, 'secret.h5') },
  { file: 'virtual_source.h5', dataset: '/data', target: () => join(outside, 'secret.h5'), describedSource: () => join(outside, 'secret.h5') },
];

function runEnd(runId: string): Promise<RunEvent> {
  return new Promise((resolve) => {
    const unsubscribe = service.subscribe((event, payload) => {
      const run = payload as RunEvent;
      if (event === 'run' && run.type !== 'progress' && (run.type === 'finished' ? run.result.id : run.runId) === runId) {
        unsubscribe();
        resolve(run);
      }
    });
  });
}

beforeAll(() => {
  served = makeTempFolder('served');
  outside = makeTempFolder('outside');
  execFileSync(systemPython, [join(projectRoot, 'test/support/make_confinement_cases.py'), served, outside]);
  service = new AppService({ host: serveHost(new AllowedRoots([served])), userDataDir: makeTempFolder('confinement-user') });
});

afterAll(async () => {
  await service.dispose();
  removeTempFolders();
});

describe('serve confines HDF5 to its roots', () => {
  for (const c of CASES) {
    it(`${c.file}: getValue refuses, naming the object and its target`, async () => {
      const file = await service.openPath(join(served, c.file));
      const error = await rejection(service.getValue(file.id, c.dataset, [[0, 4], [0, 2]]));
      expect(error.code).toBe('forbidden');
      expect(error.message).toContain(c.file);
      expect(error.message).toContain(c.target());
      expect(error.message).toContain('outside the folders');
      expect(error.message).not.toMatch(/\n/);
    });

    it(`${c.file}: getEntity never reads the outside file and says where the values are`, async () => {
      const file = await service.openPath(join(served, c.file));
      if (c.describedSource) {
        const entity = (await service.getEntity(file.id, c.dataset)) as DatasetEntity;
        expect(entity.kind).toBe('dataset');
        expect(entity.externalSources?.map((s) => s.file)).toContain(c.describedSource());
      } else {
        // Through a link: the group beyond it lives in the outside file.
        const error = await rejection(service.getEntity(file.id, c.dataset));
        expect(error.code).toBe('forbidden');
        expect(error.message).toContain(c.target());
        const link = await service.getEntity(file.id, '/ext');
        expect(link).toMatchObject({ kind: 'external-link', target: '/' });
      }
    });

    for (const strategy of ['inline', 'pool', 'shard'] as const) {
      it(`${c.file}: a ${strategy} run is refused and leaves the file as it was`, async () => {
        const path = join(served, c.file);
        const before = sha256File(path);
        const file = await service.openPath(path);
        const { runId } = await service.startRun({ fileId: file.id, dataset: c.dataset, strategy, workers: 2, output: '/out' });
        const end = await runEnd(runId);
        expect(end.type).toBe('failed');
        if (end.type !== 'failed') return;
        expect(end.error.code).toBe('forbidden');
        expect(end.error.message).toContain(c.target());
        expect(sha256File(path)).toBe(before);
        expect(runLeftoversBeside(path)).toEqual([]);
      });
    }
  }

  it('follows an external link that stays inside the roots', async () => {
    const file = await service.openPath(join(served, 'inside_link.h5'));
    const slice = await service.getValue(file.id, '/ext/data', [[0, 2], [0, 2]]);
    expect(slice.values).toEqual([3, 3, 3, 3]);
  });
});
