// `h5blocks serve` over real HTTP and WebSocket connections.
import { request as httpRequest } from 'node:http';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ApiEvents, H5BlocksApi, RunEvent } from '../src/shared/api';
import type { ErrorInfo } from '../src/shared/errors';
import { startServer, type RunningServer } from '../src/main/server/serve';
import { closeWorkerPools } from '../src/main/strategies/workerPools';
import { createApiClient } from '../src/renderer/src/api/client';
import { wsTransport, type WebSocketFactory, type WsTransport } from '../src/renderer/src/api/wsTransport';
import { copyCorpus, makeTempFolder, removeTempFolders, sha256File } from './support/files';
import { rejection } from './support/rejection';

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw GET, so the test controls every header (and the path is sent exactly as written). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Connects like a page would; resolves with the open socket, or rejects with the HTTP status of the refusal. */
function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve(socket));
    socket.once('unexpected-response', (_req, res) => {
      reject(new Error(`HTTP ${res.statusCode}`));
      socket.terminate();
    });
    socket.once('error', reject);
  });
}

/** One request/response on a raw socket, in the documented message format. */
function rawCall(socket: WebSocket, id: number, method: string, args: unknown[]): Promise<{ id: number; result?: unknown; error?: ErrorInfo }> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString());
      if (message.id === id) {
        socket.off('message', onMessage);
        resolve(message);
      }
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ id, method, args }));
  });
}


describe('h5blocks serve', () => {
  let folder: string;
  let outside: string;
  let server: RunningServer;
  let wsUrl: string;
  let transport: WsTransport;
  let api: H5BlocksApi;

  beforeAll(async () => {
    folder = makeTempFolder('serve-root');
    outside = makeTempFolder('serve-outside');
    copyCorpus('coords_1k.h5', folder);
    copyCorpus('dtypes.h5', folder);
    copyCorpus('coords_1k.h5', outside, 'secret.h5');
    mkdirSync(join(folder, 'nested'));
    copyCorpus('structure.h5', join(folder, 'nested'));
    // Links that lead out of the root must not let a page out.
    symlinkSync(outside, join(folder, 'link-to-outside'));
    symlinkSync(join(outside, 'secret.h5'), join(folder, 'secret-link.h5'));
    server = await startServer({ files: [join(folder, 'coords_1k.h5')], port: 0, userDataDir: makeTempFolder('serve-userdata'), warn: () => undefined });
    await server.service.openTrusted(join(folder, 'coords_1k.h5'));
    wsUrl = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    transport = wsTransport({ url: wsUrl, WebSocket: WebSocket as unknown as WebSocketFactory, retryDelayMs: 50 });
    api = createApiClient(transport);
  });

  afterAll(async () => {
    transport?.close();
    await server?.close();
    await closeWorkerPools();
    removeTempFolders();
  });

  it('serves the page only with the token, then lets the page load its assets by cookie', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
    const without = await get(server.port, '/');
    expect(without.status).toBe(403);
    expect(without.body).not.toContain('<html');
    expect((await get(server.port, '/?token=wrong')).status).toBe(403);

    const page = await get(server.port, `/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(page.headers['set-cookie'])).toMatch(/SameSite=Strict/);

    const asset = /src="\.?(\/assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    expect((await get(server.port, asset!)).status).toBe(403);
    const withCookie = await get(server.port, asset!, { Cookie: cookie });
    expect(withCookie.status).toBe(200);
    expect(withCookie.headers['content-type']).toContain('javascript');
  });

  it('refuses other sites, other Host names, and paths out of the page folder', async () => {
    const token = `?token=${server.token}`;
    expect((await get(server.port, `/${token}`, { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(server.port, `/${token}`, { Origin: `http://127.0.0.1:${server.port}` })).status).toBe(200);
    expect((await get(server.port, `/${token}`, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, `/%2e%2e/%2e%2e/package.json${token}`)).status).toBe(404);
    expect((await get(server.port, `/..%2f..%2fpackage.json${token}`)).status).toBe(404);
  });

  it('upgrades to the API only with the token and from its own origin', async () => {
    await expect(connect(`ws://127.0.0.1:${server.port}/api`)).rejects.toThrow('HTTP 403');
    await expect(connect(`ws://127.0.0.1:${server.port}/api?token=nope`)).rejects.toThrow('HTTP 403');
    await expect(connect(wsUrl, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect(wsUrl, { Origin: 'null' })).rejects.toThrow('HTTP 403');
    const socket = await connect(wsUrl, { Origin: `http://127.0.0.1:${server.port}` });
    const answer = await rawCall(socket, 7, 'appInfo', []);
    expect(answer.id).toBe(7);
    expect(answer.result).toMatchObject({ host: 'serve', electronVersion: null, hdf5Version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    const refused = await rawCall(socket, 8, 'getValue', ['x', '/coords', [[3, 1]]]);
    expect(refused.error?.code).toBe('invalid-argument');
    socket.close();
  });

  it('carries the whole API through the typed client, including NaN and Infinity', async () => {
    const [file] = await api.listFiles();
    expect(file.name).toBe('coords_1k.h5');
    const root = await api.getEntity(file.id, '/');
    expect(root.kind === 'group' && root.children.map((c) => c.name)).toEqual(['coords']);
    const dtypes = await api.openPath(join(folder, 'dtypes.h5'));
    const special = await api.getValue(dtypes.id, '/special_values', [[1, 4], [0, 2]]);
    expect(special.values).toEqual([NaN, 1, Infinity, 0, -Infinity, NaN]);
    const missing = await rejection(api.getEntity(file.id, '/nope'));
    expect(missing).toMatchObject({ code: 'not-found', name: 'ApiError' });
    expect(missing.message).toContain('/nope');
  });

  it('browses only inside the roots, whatever the path or link', async () => {
    const top = await api.browse(null);
    expect(top.parent).toBeNull();
    const names = top.entries.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['nested', 'coords_1k.h5', 'dtypes.h5']));
    expect(names).not.toContain('link-to-outside');
    expect(names).not.toContain('secret-link.h5');
    expect(top.entries.find((e) => e.name === 'coords_1k.h5')).toMatchObject({ kind: 'file', sizeBytes: expect.any(Number) });
    const nested = await api.browse(join(folder, 'nested'));
    expect(nested.entries.map((e) => e.name)).toEqual(['structure.h5']);
    expect(nested.parent).toBe(top.folder);

    for (const path of [outside, '/etc', join(folder, '..'), join(folder, 'nested', '..', '..'), join(folder, 'link-to-outside')]) {
      expect((await rejection(api.browse(path))).code, path).toBe('forbidden');
    }
    for (const path of [join(outside, 'secret.h5'), join(folder, 'secret-link.h5'), join(folder, 'link-to-outside', 'secret.h5'), join(folder, '..', 'x.h5')]) {
      expect((await rejection(api.openPath(path))).code, path).toBe('forbidden');
    }
    expect((await rejection(api.openPath('relative.h5'))).code).toBe('invalid-argument');
    const file = (await api.listFiles())[0];
    expect((await rejection(api.saveAs(file.id, join(outside, 'copy.h5')))).code).toBe('forbidden');
    expect((await rejection(api.saveAs(file.id, join(folder, 'link-to-outside', 'copy.h5')))).code).toBe('forbidden');
    expect((await rejection(api.showOpenDialog().then((r) => (r === null ? Promise.reject({ code: 'none' }) : r)))).code).toBe('none');
  });

  it('streams a run\'s progress and its finish to the page, then shows the new output', async () => {
    const file = (await api.listFiles()).find((f) => f.name === 'coords_1k.h5')!;
    const before = sha256File(file.path);
    const events: RunEvent[] = [];
    let finish: (event: RunEvent) => void = () => undefined;
    const ended = new Promise<RunEvent>((resolve) => (finish = resolve));
    const stop = transport.subscribe('run', (event: ApiEvents['run']) => {
      events.push(event);
      if (event.type !== 'progress') finish(event);
    });
    const { runId } = await api.startRun({ fileId: file.id, dataset: '/coords', strategy: 'shard', workers: 2, blockRows: 250 });
    const end = await ended;
    stop();
    expect(end).toMatchObject({ type: 'finished', result: { id: runId, strategy: 'shard', rows: 1000, fileName: 'coords_1k.h5' } });
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.map((e) => e.type === 'progress' && e.progress.blocksDone)).toEqual([1, 2, 3, 4]);
    expect(sha256File(file.path)).not.toBe(before);
    const root = await api.getEntity(file.id, '/');
    expect(root.kind === 'group' && root.children.map((c) => c.name).sort()).toEqual(['coords', 'distances']);
    expect((await api.listRuns()).map((r) => r.id)).toContain(runId);
  });

  it('answers malformed messages with an error instead of dropping the connection', async () => {
    const socket = await connect(wsUrl);
    const reply = new Promise<{ id: unknown; error: ErrorInfo }>((resolve) => socket.once('message', (data) => resolve(JSON.parse(data.toString()))));
    socket.send('{not json');
    expect(await reply).toMatchObject({ id: null, error: { code: 'invalid-argument' } });
    const unknown = await rawCall(socket, 1, 'rm -rf', []);
    expect(unknown.error).toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('unknown method') });
    socket.close();
  });
});

describe('h5blocks serve, stopping', () => {
  it('tells connected pages it stopped; the page transport says it is reconnecting', async () => {
    const folder = makeTempFolder('serve-stop');
    copyCorpus('coords_1k.h5', folder);
    const server = await startServer({ files: [join(folder, 'coords_1k.h5')], port: 0, userDataDir: makeTempFolder('serve-stop-userdata') });
    const transport = wsTransport({ url: `ws://127.0.0.1:${server.port}/api?token=${server.token}`, WebSocket: WebSocket as unknown as WebSocketFactory, retryDelayMs: 20, maxRetryDelayMs: 50 });
    const states: string[] = [];
    transport.subscribe('connection', (event) => states.push(event.state));
    await createApiClient(transport).appInfo();
    await server.close();
    await expect.poll(() => states[0]).toBe('reconnecting');
    transport.close();
    await expect(createApiClient(transport).appInfo()).rejects.toMatchObject({ code: 'internal' });
  });
});
