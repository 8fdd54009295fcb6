// What `h5blocks serve` does with files a page hands it: drops (uploads), Save As
// over an existing file, and external links' targets, all inside the roots.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenFile } from '../src/shared/api';
import type { ErrorInfo } from '../src/shared/errors';
import { startServer, type RunningServer } from '../src/main/server/serve';
import { UPLOADS_FOLDER } from '../src/main/server/uploads';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { copyCorpus, makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { corpusFile, systemPython } from './support/paths';
import { rejection } from './support/rejection';

const LIMIT = 64 * 1024;

async function upload(server: RunningServer, name: string, bytes: Buffer, options: { token?: boolean; origin?: string; method?: string } = {}) {
  const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream' };
  if (options.origin) headers.Origin = options.origin;
  const token = options.token === false ? '' : `&token=${server.token}`;
  const response = await fetch(`http://127.0.0.1:${server.port}/upload?name=${encodeURIComponent(name)}${token}`, {
    method: options.method ?? 'POST', headers, body: options.method === 'GET' ? undefined : new Uint8Array(bytes),
  });
  const text = await response.text();
  let body: { file?: OpenFile; error?: ErrorInfo } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

describe('h5blocks serve: files a page hands it', () => {
  let root: string;
  let outside: string;
  let server: RunningServer;
  const uploads = () => join(root, UPLOADS_FOLDER);

  beforeAll(async () => {
    root = makeTempFolder('serve-files');
    outside = makeTempFolder('serve-files-outside');
    copyCorpus('coords_1k.h5', root);
    copyCorpus('coords_1k.h5', outside, 'secret.h5');
    execFileSync(systemPython, ['-c', `
import sys, h5py
with h5py.File(sys.argv[1], 'w') as f:
    f['near'] = h5py.ExternalLink('coords_1k.h5', '/coords')
    f['gone'] = h5py.ExternalLink('gone.h5', '/coords')
    f['far'] = h5py.ExternalLink(sys.argv[2], '/coords')
    f['data'] = [1, 2, 3]
`, join(root, 'links.h5'), join(outside, 'secret.h5')]);
    server = await startServer({ files: [join(root, 'links.h5')], port: 0, roots: [root], userDataDir: makeTempFolder('serve-files-user'), maxUploadBytes: LIMIT });
    await server.service.openTrusted(join(root, 'links.h5'));
  });

  afterAll(async () => {
    await server?.close();
    await closeWorkerPools();
    removeTempFolders();
  });

  it('stores a dropped file in the uploads folder under the root and opens it, never replacing an earlier drop', async () => {
    const bytes = readFileSync(corpusFile('coords_1k.h5'));
    const first = await upload(server, 'dropped.h5', bytes);
    expect(first.status).toBe(200);
    expect(first.body?.file).toMatchObject({ name: 'dropped.h5', path: join(uploads(), 'dropped.h5') });
    expect(sha256File(join(uploads(), 'dropped.h5'))).toBe(sha256File(corpusFile('coords_1k.h5')));
    const second = await upload(server, 'dropped.h5', bytes);
    expect(second.body?.file?.name).toBe('dropped (2).h5');
    expect((await server.service.listFiles()).map((f) => f.name)).toEqual(expect.arrayContaining(['dropped.h5', 'dropped (2).h5']));
    expect((await server.service.getEntity(first.body!.file!.id, '/coords')).kind).toBe('dataset');
  });

  it('refuses drops without the token, from other sites, by GET, with a folder in the name, too large or not HDF5, keeping nothing', async () => {
    const before = readdirSync(uploads()).sort();
    const bytes = readFileSync(corpusFile('coords_1k.h5'));
    expect((await upload(server, 'a.h5', bytes, { token: false })).status).toBe(403);
    expect((await upload(server, 'a.h5', bytes, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await upload(server, 'a.h5', bytes, { method: 'GET' })).status).toBe(405);
    for (const name of ['../a.h5', 'sub/a.h5', '..', '.hidden.h5', '']) {
      const refused = await upload(server, name, bytes);
      expect(refused.status, name).toBe(400);
      expect(refused.body?.error?.code, name).toBe('invalid-argument');
    }
    const large = await upload(server, 'large.h5', Buffer.alloc(LIMIT + 1));
    expect(large.status).toBe(413);
    expect(large.body?.error?.message).toMatch(/^large\.h5: .* more than the .* a dropped file may have/);
    const notHdf5 = await upload(server, 'text.h5', readFileSync(corpusFile('not_hdf5.h5')));
    expect(notHdf5.status).toBe(400);
    expect(notHdf5.body?.error).toMatchObject({ code: 'not-hdf5', message: expect.stringMatching(/^text\.h5: /) });
    expect(readdirSync(uploads()).sort()).toEqual(before);
  });

  it('refuses to store drops in a read-only root', async () => {
    const other = makeTempFolder('serve-files-readonly');
    chmodSync(other, 0o555);
    const readOnly = await startServer({ files: [], port: 0, roots: [other], userDataDir: makeTempFolder('serve-files-user3') });
    try {
      const refused = await upload(readOnly, 'x.h5', readFileSync(corpusFile('coords_1k.h5')));
      expect(refused.status).toBe(403);
      expect(refused.body?.error?.message).toMatch(/cannot make a folder for dropped files: (the folder is read-only|permission denied)/);
      expect(readdirSync(other)).toEqual([]);
    } finally {
      await readOnly.close();
      chmodSync(other, 0o755);
    }
  });

  it('refuses to store drops when the uploads folder leads outside the roots', async () => {
    const other = makeTempFolder('serve-files-linked');
    const away = makeTempFolder('serve-files-away');
    symlinkSync(away, join(other, UPLOADS_FOLDER));
    const linked = await startServer({ files: [], port: 0, roots: [other], userDataDir: makeTempFolder('serve-files-user2') });
    try {
      const refused = await upload(linked, 'x.h5', readFileSync(corpusFile('coords_1k.h5')));
      expect(refused.status).toBe(403);
      expect(refused.body?.error?.code).toBe('forbidden');
      expect(readdirSync(away)).toEqual([]);
    } finally {
      await linked.close();
    }
  });

  it('replaces an existing file with Save As only when asked to, and never a folder', async () => {
    const links = (await server.service.listFiles()).find((f) => f.name === 'links.h5')!;
    const target = join(root, 'taken.h5');
    copyCorpus('coords_1k.h5', root, 'taken.h5');
    const refused = await rejection(server.service.saveAs(links.id, target));
    expect(refused).toMatchObject({ code: 'output-exists', message: expect.stringContaining('confirm to replace it') });
    expect(sha256File(target)).toBe(sha256File(corpusFile('coords_1k.h5')));
    const copy = await server.service.saveAs(links.id, target, { replace: true });
    expect(copy?.path).toBe(target);
    expect(sha256File(target)).toBe(sha256File(join(root, 'links.h5')));
    mkdirSync(join(root, 'a folder'));
    expect((await rejection(server.service.saveAs(links.id, join(root, 'a folder'), { replace: true }))).code).toBe('invalid-argument');
    expect((await rejection(server.service.saveAs(links.id, join(outside, 'secret.h5'), { replace: true }))).code).toBe('forbidden');
    // A folder marked read-only is refused, even to a server running as root.
    mkdirSync(join(root, 'read-only'), { mode: 0o555 });
    chmodSync(join(root, 'read-only'), 0o555);
    const readOnly = await rejection(server.service.saveAs(links.id, join(root, 'read-only', 'copy.h5')));
    expect(readOnly).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/read-only-?.*: cannot save a copy there: (the folder is read-only|permission denied)/) });
    expect(readdirSync(join(root, 'read-only'))).toEqual([]);
    expect(sha256File(join(outside, 'secret.h5'))).toBe(sha256File(corpusFile('coords_1k.h5')));
  });

  it('opens an external link\'s target inside the roots, and says why not otherwise', async () => {
    const links = (await server.service.listFiles()).find((f) => f.name === 'links.h5')!;
    const near = await server.service.openLinkTarget(links.id, '/near');
    expect(near).toMatchObject({ file: { path: join(root, 'coords_1k.h5') }, path: '/coords' });
    const gone = await rejection(server.service.openLinkTarget(links.id, '/gone'));
    expect(gone).toMatchObject({ code: 'not-found', message: expect.stringMatching(/^links\.h5: \/gone points to gone\.h5, which does not exist/) });
    const far = await rejection(server.service.openLinkTarget(links.id, '/far'));
    expect(far).toMatchObject({ code: 'forbidden', message: expect.stringContaining('outside the folders this server may open') });
    expect((await rejection(server.service.openLinkTarget(links.id, '/data'))).code).toBe('invalid-argument');
    expect(existsSync(join(outside, 'secret.h5'))).toBe(true);
    expect((await server.service.listFiles()).some((f) => f.name === 'secret.h5')).toBe(false);
  });
});
