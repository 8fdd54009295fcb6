// The service's search: every object of every open file, expanded or not, by
// a path index built in the background, on real corpus files.
import { afterAll, describe, expect, it } from 'vitest';
import { OpenFiles } from '../src/main/app/openFiles';
import { SearchIndex } from '../src/main/app/searchIndex';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';

afterAll(removeTempFolders);

describe('search across open files', () => {
  it('finds objects deep in unopened groups in every file, naming the file, exact names first', async () => {
    const folder = makeTempFolder('search');
    const files = new OpenFiles();
    const structure = await files.open(copyCorpus('structure.h5', folder));
    const coords = await files.open(copyCorpus('coords_1k.h5', folder));
    const index = new SearchIndex((id, paths) => files.children(id, paths));

    let result = await index.search(files.list(), 'coords');
    for (let i = 0; result.indexing.length > 0 && i < 50; i++) result = await index.search(files.list(), 'coords');
    expect(result.indexing).toEqual([]);
    const found = result.matches.map((m) => `${m.fileName}:${m.path}`);
    expect(found).toEqual(expect.arrayContaining(['coords_1k.h5:/coords', 'structure.h5:/experiment/run_001/detector/coords']));
    expect(result.matches.find((m) => m.fileId === coords.id)?.kind).toBe('dataset');

    // 2,000 groups under /many are indexed too; the name that matches exactly ranks first.
    const many = await index.search(files.list(), 'G0042');
    expect(many.matches[0]).toMatchObject({ fileId: structure.id, path: '/many/g0042', kind: 'group' });
    expect((await index.search(files.list(), '/many/g')).total).toBe(2000);
    await files.closeAll();
  });
});
