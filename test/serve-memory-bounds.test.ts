// What keeps `serve`'s memory bounded whatever pages ask of it: the calls it
// answers at once (large getValue replies above all), the HDF5 files a thread
// keeps open, and file threads whose memory grew (a wasm memory never shrinks,
// and an idle thread never collects its garbage), which end once idle. The RSS
// itself is measured by `npm run measure:memory` (test/serve-memory.measure.ts).
import { createServer, type Server } from 'node:http';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { AppService } from '../src/main/app/service';
import { HandleCache, MAX_OPEN_FILES } from '../src/main/io/handleCache';
import { IoThread } from '../src/main/io/ioThread';
import { FILE_THREAD_BIG_HEAP_BYTES, FILE_THREAD_IDLE_MS, MAX_LIVE_FILE_THREADS, OpenFiles } from '../src/main/app/openFiles';
import { CallSlots } from '../src/main/server/callSlots';
import { bridgeSocket, CALLS_PER_PAGE, serverSlots, VALUE_CALLS_AT_ONCE } from '../src/main/server/socketBridge';
import { copyCorpus, makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';

let folder: string;

beforeAll(() => {
  folder = makeTempFolder('memory-bounds');
});

afterAll(() => removeTempFolders());

describe('the calls serve answers at once', () => {
  it('CallSlots hands out at most its size, first come first served', async () => {
    const slots = new CallSlots(2);
    const first = await slots.take();
    await slots.take();
    const order: number[] = [];
    const third = slots.take().then((release) => (order.push(3), release));
    const fourth = slots.take().then((release) => (order.push(4), release));
    await Promise.resolve();
    expect(slots.taken).toBe(2);
    expect(slots.queued).toBe(2);
    first();
    first(); // giving a place back twice frees it once
    (await third)();
    (await fourth)();
    expect(order).toEqual([3, 4]);
    expect(slots.queued).toBe(0);
    expect(slots.taken).toBe(1);
  });

  it(`many pages asking for values at once: at most ${VALUE_CALLS_AT_ONCE} are read at a time, and every call is answered`, async () => {
    let reading = 0;
    let mostAtOnce = 0;
    const service = {
      subscribe: () => () => undefined,
      getValueJson: async (_fileId: string, path: string) => {
        mostAtOnce = Math.max(mostAtOnce, ++reading);
        await new Promise((resolve) => setTimeout(resolve, 5));
        reading--;
        return new TextEncoder().encode(JSON.stringify({ path, ranges: [[0, 1]], shape: [1], kind: 'numbers', values: [1] }));
      },
      listFiles: async () => [],
    } as unknown as AppService;
    const http: Server = createServer();
    const sockets = new WebSocketServer({ server: http });
    const slots = serverSlots();
    sockets.on('connection', (socket) => bridgeSocket(socket, service, slots));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', () => resolve()));
    const port = (http.address() as { port: number }).port;
    try {
      const pages = await Promise.all(Array.from({ length: 20 }, () => new Promise<WebSocket>((resolve, reject) => {
        const page = new WebSocket(`ws://127.0.0.1:${port}`);
        page.once('open', () => resolve(page));
        page.once('error', reject);
      })));
      // More calls per page than a page may have unanswered: the rest wait in TCP, and are answered later.
      const perPage = CALLS_PER_PAGE * 2;
      const answers = await Promise.all(pages.map((page, p) => new Promise<number[]>((resolve) => {
        const ids: number[] = [];
        page.on('message', (data) => {
          const message = JSON.parse(data.toString()) as { id: number; result?: { values: number[] } };
          if (message.result?.values[0] === 1) ids.push(message.id);
          if (ids.length === perPage) resolve(ids.sort((a, b) => a - b));
        });
        for (let i = 0; i < perPage; i++) page.send(JSON.stringify({ id: i, method: 'getValue', args: [`file${p}`, '/coords', [[0, 1]]] }));
      })));
      expect(answers.every((ids) => ids.length === perPage)).toBe(true);
      expect(mostAtOnce).toBeGreaterThan(0);
      expect(mostAtOnce).toBeLessThanOrEqual(VALUE_CALLS_AT_ONCE);
      expect(slots.values.taken).toBe(0);
      for (const page of pages) page.close();
    } finally {
      for (const client of sockets.clients) client.terminate();
      await new Promise((resolve) => sockets.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    }
  });
});

describe('an I/O thread', () => {
  it(`keeps at most ${MAX_OPEN_FILES} files open, closing the least recently used`, async () => {
    const cache = new HandleCache();
    const files = Array.from({ length: MAX_OPEN_FILES + 2 }, (_, i) => copyCorpus('coords_1k.h5', folder, `open${i}.h5`));
    for (const file of files.slice(0, MAX_OPEN_FILES)) await cache.use(file, () => null);
    await cache.use(files[0], () => null); // now the most recently used
    for (const file of files.slice(MAX_OPEN_FILES)) await cache.use(file, () => null);
    expect(cache.openPaths).toHaveLength(MAX_OPEN_FILES);
    expect(cache.openPaths).toContain(files[0]);
    expect(cache.openPaths).not.toContain(files[1]);
    expect(cache.openPaths).not.toContain(files[2]);
    for (const file of files) cache.forget(file);
    expect(cache.openPaths).toEqual([]);
  });

  it(`one per open file, at most ${MAX_LIVE_FILE_THREADS} up at once: the longest idle ends, and comes back when asked`, async () => {
    const files = new OpenFiles();
    try {
      const opened = [];
      for (let i = 0; i < MAX_LIVE_FILE_THREADS + 3; i++) {
        opened.push(await files.open(copyCorpus('coords_1k.h5', folder, `live${i}.h5`)));
        expect((await files.value(opened[i].id, '/coords', [[i, i + 1], [0, 2]])).values).toHaveLength(2);
        expect(files.liveThreads).toBeLessThanOrEqual(MAX_LIVE_FILE_THREADS);
      }
      expect(files.liveThreads).toBe(MAX_LIVE_FILE_THREADS);
      // The first file's thread ended long ago; asking it again starts one (and ends another).
      expect((await files.value(opened[0].id, '/coords', [[0, 1], [0, 2]])).values).toHaveLength(2);
      expect(files.liveThreads).toBe(MAX_LIVE_FILE_THREADS);
    } finally {
      await files.closeAll();
    }
  });

  it('whose memory grew past the limit ends once idle; a small one stays for longer', async () => {
    // One 128 MB chunk (gzip keeps the file small): reading a single value decompresses all of it in wasm memory.
    const big = join(folder, 'one_big_chunk.h5');
    execFileSync(systemPython, ['-c', [
      'import sys, h5py, numpy as np',
      'rows = 16 * 1024 * 1024',
      'with h5py.File(sys.argv[1], "w") as f:',
      '    f.create_dataset("coords", data=np.ones((rows, 2), dtype=np.float32), chunks=(rows, 2), compression="gzip")',
    ].join('\n'), big]);
    const small = copyCorpus('coords_1k.h5', folder, 'small.h5');
    const options = { idleExitMs: FILE_THREAD_IDLE_MS, bigHeap: { heapBytes: FILE_THREAD_BIG_HEAP_BYTES, idleExitMs: 200 } };
    const grown = new IoThread(options);
    const little = new IoThread(options);
    try {
      await little.call({ kind: 'value', file: small, path: '/coords', ranges: [[0, 10], [0, 2]] });
      expect((await grown.call({ kind: 'value', file: big, path: '/coords', ranges: [[0, 1], [0, 2]] })).values).toEqual([1, 1]);
      expect(little.heapBytes).toBeGreaterThan(0);
      expect(little.heapBytes).toBeLessThan(FILE_THREAD_BIG_HEAP_BYTES);
      expect(grown.heapBytes).toBeGreaterThan(FILE_THREAD_BIG_HEAP_BYTES);
      await vi.waitFor(() => expect(grown.running).toBe(false), { timeout: 10_000, interval: 50 });
      expect(grown.heapBytes).toBe(0);
      expect(little.running).toBe(true);
      // It starts again on the next request, small.
      expect((await grown.call({ kind: 'value', file: small, path: '/coords', ranges: [[0, 1], [0, 2]] })).values).toHaveLength(2);
      expect(grown.heapBytes).toBeLessThan(FILE_THREAD_BIG_HEAP_BYTES);
    } finally {
      await grown.terminate();
      await little.terminate();
    }
  });
});
