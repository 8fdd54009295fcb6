import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { dirname } from 'node:path';
import { WebSocketServer } from 'ws';
import { H5BlocksError } from '@shared/errors';
import { CONTENT_SECURITY_POLICY_HEADER } from '../app/contentSecurityPolicy';
import { publicError } from '../app/publicError';
import { AppService } from '../app/service';
import { defaultUserDataDir } from '../app/userData';
import { closeWorkerPools } from '../strategies/workerPools';
import { AllowedRoots } from './allowedRoots';
import { serveHost } from './serveHost';
import { bridgeSocket, serverSlots } from './socketBridge';
import { findRendererFolder, sendFile, staticFileFor } from './staticFiles';
import { removeQuietly } from '../fsErrors';
import { storeUpload, UPLOAD_PATH } from './uploads';
import { cookieName, makeToken, requestToken, tokenMatches } from './token';

export interface ServeOptions {
  files: string[];
  /** 0 picks any free port. */
  port: number;
  /** Folders Open… may browse; default: the folders of `files`, else the working folder. */
  roots?: string[];
  signal: AbortSignal;
  /** Default: defaultUserDataDir() (H5BLOCKS_USER_DATA or the desktop app's folder). */
  userDataDir?: string;
  /** Default: the built out/renderer. */
  rendererDir?: string;
  /** Lines for the user; default stdout. The first one is always the URL. */
  print?: (line: string) => void;
  /** Problems that do not stop the server (a file that would not open); default stderr. */
  warn?: (line: string) => void;
  /** The largest file a page may drop (upload); default MAX_UPLOAD_BYTES. */
  maxUploadBytes?: number;
}

export interface RunningServer {
  /** `http://127.0.0.1:PORT/?token=…`: the only way in. */
  url: string;
  port: number;
  token: string;
  service: AppService;
  close(): Promise<void>;
}

export const API_PATH = '/api';
const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * `h5blocks serve`: the app for a browser on this machine. Prints the URL first,
 * opens the given files, and runs until the signal (SIGINT/SIGTERM in the CLI).
 */
export async function serve(options: ServeOptions): Promise<void> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const warn = options.warn ?? ((line: string) => process.stderr.write(`h5blocks: ${line}\n`));
  if (options.signal.aborted) return;
  const server = await startServer({ ...options, warn });
  // Files named on the command line are the user's own choice: they open even outside --root.
  // They open before the URL is printed, so a page opened at once already lists them.
  const opened: string[] = [];
  const failed: string[] = [];
  for (const file of options.files) {
    await server.service.openTrusted(file).then(
      (openFile) => opened.push(openFile.path),
      (error: unknown) => failed.push(publicError(error).message),
    );
  }
  print(server.url);
  for (const path of opened) print(`opened ${path}`);
  for (const message of failed) warn(message);
  print('Open the URL above in a browser on this machine; press Ctrl+C to stop.');
  await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve(), { once: true }));
  await server.close();
  await closeWorkerPools();
}

/** The server listening on 127.0.0.1, without printing anything: what tests and `serve` build on. */
export async function startServer(options: Omit<ServeOptions, 'signal' | 'print'>): Promise<RunningServer> {
  const roots = new AllowedRoots(options.roots ?? defaultRoots(options.files));
  const host = serveHost(roots);
  const rendererDir = options.rendererDir ?? findRendererFolder();
  const service = new AppService({ host, userDataDir: options.userDataDir ?? defaultUserDataDir(), warn: options.warn });
  const token = makeToken();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  const slots = serverSlots();
  sockets.on('connection', (socket) => bridgeSocket(socket, service, slots));

  const server = createServer();
  const port = await listen(server, options.port);
  const origins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  /** Why a request must be refused, or undefined when it may go on. */
  const refusal = (request: IncomingMessage, url: URL): string | undefined => {
    // A foreign Host is a DNS-rebinding page; a foreign Origin is another site's script.
    if (!hosts.has(request.headers.host ?? '')) return 'wrong Host header';
    const origin = request.headers.origin;
    if (origin !== undefined && !origins.has(origin)) return 'requests from other sites are refused';
    if (!tokenMatches(requestToken(request, url, port), token)) return 'open the URL printed by `h5blocks serve` (it carries the access token)';
    return undefined;
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    setSecurityHeaders(response);
    const refused = refusal(request, url);
    if (refused) return sendText(response, 403, `403 Forbidden: ${refused}\n`);
    if (url.pathname === UPLOAD_PATH) {
      if (request.method !== 'POST') return sendText(response, 405, '405 Method Not Allowed: POST the dropped file\n');
      void receiveDrop(request, url, response);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, '405 Method Not Allowed\n');
    if (url.pathname === API_PATH) return sendText(response, 426, '426 Upgrade Required: the API is a WebSocket\n');
    if (url.searchParams.has('token')) {
      response.setHeader('Set-Cookie', `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`);
    }
    const file = staticFileFor(rendererDir, url.pathname);
    if (!file) return sendText(response, 404, '404 Not Found\n');
    sendFile(response, file, request.method === 'HEAD');
  });

  /** A file dropped on the page: stored in the uploads folder and opened, or the reason it was not, as JSON. */
  const receiveDrop = async (request: IncomingMessage, url: URL, response: ServerResponse) => {
    let stored: string | undefined;
    try {
      stored = await storeUpload(request, url, roots, options.maxUploadBytes);
      sendJson(response, 200, { file: await service.openPath(stored) });
    } catch (error) {
      // Bytes that are not a usable HDF5 file are not kept.
      if (stored) removeQuietly(stored);
      const info = publicError(error);
      sendJson(response, UPLOAD_STATUS[info.code] ?? 400, { error: info });
      // The rest of a refused body is not read: close the connection instead.
      if (!request.complete) response.once('finish', () => request.destroy());
    }
  };

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    const refused = url.pathname === API_PATH ? refusal(request, url) : 'no such endpoint';
    if (refused) {
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n403 Forbidden: ${refused}\n`);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => sockets.emit('connection', webSocket, request));
  });

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    service,
    close: () => (closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closeSockets(sockets);
      await closed;
      await service.dispose();
    })()),
  };
}

/** Says goodbye to every page (close code 1001), and hangs up on those that do not answer within a moment. */
async function closeSockets(sockets: WebSocketServer): Promise<void> {
  const clients = [...sockets.clients];
  const goodbyes = clients.map((client) => new Promise<void>((resolve) => {
    client.once('close', () => resolve());
    client.close(1001, 'h5blocks serve is stopping');
  }));
  await Promise.race([Promise.all(goodbyes), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  for (const client of sockets.clients) client.terminate();
  await new Promise<void>((resolve) => sockets.close(() => resolve()));
}

function defaultRoots(files: string[]): string[] {
  return files.length > 0 ? [...new Set(files.map((file) => dirname(file)))] : [process.cwd()];
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE'
        ? new H5BlocksError('invalid-argument', `port ${port} is in use; choose another with --port, or leave it out for any free port`)
        : new H5BlocksError('internal', `cannot listen on 127.0.0.1:${port}: ${error.message}`));
    });
    // Loopback only: nothing on the network can reach the server.
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY_HEADER);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  // The token is in the page's URL: never send it on as a Referer.
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

const UPLOAD_STATUS: Partial<Record<string, number>> = { forbidden: 403, 'too-large': 413, 'disk-full': 507, internal: 500 };

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(JSON.stringify(body));
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  response.end(text);
}
