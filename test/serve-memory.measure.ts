// The service's memory after a burst (issue 7: 1,000 connections and 100 large
// getValue calls grew `serve` from 173 MB to 724 MB, never to come down): starts
// `h5blocks serve` on a 2 M-row file, records its idle RSS, opens 1,000
// WebSockets, sends 100 getValue calls of 1,000,000 values each spread over
// them, waits for every answer, closes the sockets, and follows the RSS until it
// is back within 100 MB of idle (or the wait is over).
//
// The figures are printed and written to test-artifacts/serve-memory.json; run
// with `npm run measure:memory` (not part of `npm test`: it takes a minute or two
// and needs the machine to itself for steady figures).
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempFolder, removeTempFolders } from './support/files';
import { systemPython } from './support/paths';
import { ARTIFACTS, startServe } from './support/servedApp';

const ROWS = 2_000_000;
const CONNECTIONS = Number(process.env.MEASURE_CONNECTIONS ?? 1000);
const LARGE_CALLS = Number(process.env.MEASURE_LARGE_CALLS ?? 100);
/** Rows per call: ×2 columns = 1,000,000 values, the most one getValue returns. */
const ROWS_PER_CALL = 500_000;
/** The bound: back within this much of the idle RSS once the burst is over. */
const RETURN_BUDGET_MB = 100;
/** How long the RSS is followed after the burst. */
const FOLLOW_MS = 120_000;

let server: ChildProcess;
let url: string;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function socketUrl(): string {
  const page = new URL(url);
  return `ws://${page.host}/api?token=${page.searchParams.get('token')}`;
}

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(socketUrl());
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

let nextId = 1;
function call<T>(socket: WebSocket, method: string, args: unknown[]): Promise<T> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: T; error?: { message: string } };
      if (message.id !== id) return;
      socket.off('message', onMessage);
      if (message.error) reject(new Error(message.error.message));
      else resolve(message.result as T);
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ id, method, args }));
  });
}

beforeAll(async () => {
  const folder = makeTempFolder('serve-memory');
  const file = join(folder, 'big.h5');
  execFileSync(systemPython, ['-c', [
    'import sys, h5py, numpy as np',
    `rows = ${ROWS}`,
    'with h5py.File(sys.argv[1], "w") as f:',
    '    f.create_dataset("coords", data=np.random.default_rng(7).random((rows, 2), dtype=np.float32))',
  ].join('\n'), file]);
  ({ server, url } = await startServe([file], makeTempFolder('serve-memory-user')));
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  removeTempFolders();
});

describe('serve after a burst of requests', () => {
  it(`comes back within ${RETURN_BUDGET_MB} MB of its idle RSS`, async () => {
    const pid = server.pid!;
    const first = await connect();
    const [file] = await call<{ id: string }[]>(first, 'listFiles', []);
    // One small read: the file's thread is up, as it is for anyone who has the page open.
    await call(first, 'getValue', [file.id, '/coords', [[0, 10], [0, 2]]]);
    await sleep(3000);
    const idle = rssMb(pid);

    const started = Date.now();
    const sockets = [first];
    for (let i = 1; i < CONNECTIONS; i++) sockets.push(await connect());
    const connected = rssMb(pid);
    let peak = connected;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 100);
    const answers = await Promise.all(Array.from({ length: LARGE_CALLS }, (_, i) => {
      const start = (i * 15_013) % (ROWS - ROWS_PER_CALL);
      return call<{ values: unknown[] }>(sockets[(i * 7) % CONNECTIONS], 'getValue', [file.id, '/coords', [[start, start + ROWS_PER_CALL], [0, 2]]]);
    }));
    clearInterval(sampler);
    const burstMs = Date.now() - started;
    expect(answers.every((answer) => answer.values.length === ROWS_PER_CALL * 2)).toBe(true);
    const answered = rssMb(pid);
    answers.length = 0;
    for (const socket of sockets) socket.close();
    const ended = Date.now();

    const trace: { afterMs: number; rssMb: number }[] = [];
    let after = answered;
    while (Date.now() - ended < FOLLOW_MS) {
      await sleep(2000);
      after = rssMb(pid);
      trace.push({ afterMs: Date.now() - ended, rssMb: after });
      if (after - idle <= RETURN_BUDGET_MB && trace.length >= 3 && trace.at(-3)!.rssMb - after < 5) break;
    }
    const report = {
      idleMb: idle, withConnectionsMb: connected, peakMb: peak, answeredMb: answered, afterMb: after,
      backWithinMs: after - idle <= RETURN_BUDGET_MB ? trace.find((t) => t.rssMb - idle <= RETURN_BUDGET_MB)?.afterMs : null,
      burstMs, connections: CONNECTIONS, largeCalls: LARGE_CALLS, valuesPerCall: ROWS_PER_CALL * 2, trace,
    };
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(join(ARTIFACTS, 'serve-memory.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`serve RSS: idle ${idle} MB, with ${CONNECTIONS} connections ${connected} MB, peak ${peak} MB, ` +
      `all ${LARGE_CALLS} answered ${answered} MB (in ${burstMs} ms), ${Math.round((trace.at(-1)?.afterMs ?? 0) / 1000)} s after the burst ${after} MB`);
    expect(after - idle).toBeLessThanOrEqual(RETURN_BUDGET_MB);
  }, FOLLOW_MS + 600_000);
});
