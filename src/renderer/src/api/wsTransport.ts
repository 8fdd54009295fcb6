import type { ApiEvents, ApiMethod, ApiTransport } from '@shared/api';
import type { ErrorInfo } from '@shared/errors';
import { ApiError } from './apiError';

/** The WebSocket endpoint of `h5blocks serve` (src/main/server/serve.ts). */
export const API_PATH = '/api';

/** The parts of the browser's WebSocket this transport uses; the `ws` package's client has them too. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
}

export type WebSocketFactory = new (url: string) => WebSocketLike;

export interface WsTransportOptions {
  /** Default: this page's own origin, `/api`, with the `token` from the page's URL. */
  url?: string;
  /** Default: the browser's WebSocket. */
  WebSocket?: WebSocketFactory;
  /** The first reconnect waits this long, each further one twice as long, up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

export interface WsTransport extends ApiTransport {
  /** Stops for good: no more reconnecting; waiting calls reject. */
  close(): void;
}

const OPEN = 1;

type Pending = { resolve: (value: unknown) => void; reject: (error: ApiError) => void };
type Listener = (payload: unknown) => void;

/**
 * The browser's transport to `h5blocks serve`: one WebSocket carrying
 * `{id, method, args}` → `{id, result} | {id, error}` and `{event, payload}`.
 *
 * It connects on first use. When the connection drops it tells listeners
 * (a 'connection' event) and reconnects with growing pauses, so a stopped
 * server is not hammered; calls made meanwhile wait and go out on reconnect,
 * calls already sent reject, since whether they ran cannot be known.
 */
export function wsTransport(options: WsTransportOptions = {}): WsTransport {
  const Socket = options.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory | undefined);
  const firstDelay = options.retryDelayMs ?? 500;
  const maxDelay = options.maxRetryDelayMs ?? 30_000;
  const pending = new Map<number, Pending>();
  const waiting: { id: number; text: string }[] = [];
  const listeners = new Map<string, Set<Listener>>();
  let socket: WebSocketLike | undefined;
  let nextId = 1;
  let failures = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let everConnected = false;

  const emit = (event: string, payload: unknown) => {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        // A failing listener must not silence the others; the browser console still shows it.
        setTimeout(() => {
          throw error;
        });
      }
    }
  };

  const connect = () => {
    if (socket || stopped) return;
    if (!Socket) throw new ApiError({ code: 'internal', message: 'this browser has no WebSocket; h5blocks needs a current browser' });
    const current = new Socket(options.url ?? defaultUrl());
    socket = current;
    current.onopen = () => {
      failures = 0;
      if (everConnected) emit('connection', { type: 'connection', state: 'connected' });
      everConnected = true;
      for (const message of waiting.splice(0)) current.send(message.text);
    };
    current.onmessage = (event) => receive(event.data);
    current.onerror = () => {
      // A close always follows; reconnecting is decided there.
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = undefined;
      const lost = new ApiError({ code: 'internal', message: 'lost the connection to h5blocks serve before it answered; try again' });
      for (const [id, call] of pending) {
        if (!waiting.some((message) => message.id === id)) {
          pending.delete(id);
          call.reject(lost);
        }
      }
      if (stopped) return;
      emit('connection', { type: 'connection', state: 'reconnecting' });
      const delay = Math.min(maxDelay, firstDelay * 2 ** failures);
      failures += 1;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        connect();
      }, delay);
    };
  };

  const receive = (data: unknown) => {
    let message: { id?: unknown; result?: unknown; error?: ErrorInfo; event?: unknown; payload?: unknown };
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (typeof message.event === 'string') {
      emit(message.event, message.payload);
      return;
    }
    if (typeof message.id !== 'number') return;
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.error) call.reject(new ApiError(message.error));
    else call.resolve(message.result);
  };

  return {
    call(method: ApiMethod, args: unknown[]) {
      return new Promise((resolve, reject) => {
        if (stopped) {
          reject(new ApiError({ code: 'internal', message: 'the connection to h5blocks serve was closed' }));
          return;
        }
        const id = nextId++;
        const text = JSON.stringify({ id, method, args });
        pending.set(id, { resolve, reject });
        try {
          connect();
        } catch (error) {
          pending.delete(id);
          reject(error);
          return;
        }
        if (socket?.readyState === OPEN) socket.send(text);
        else waiting.push({ id, text });
      });
    },
    subscribe<E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void) {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      const wrapped: Listener = (payload) => listener(payload as ApiEvents[E]);
      set.add(wrapped);
      // Events only flow on an open connection, so listening alone connects; a call reports any failure to.
      try {
        connect();
      } catch {
        // Surfaces on the next call.
      }
      return () => {
        set.delete(wrapped);
      };
    },
    close() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      const closing = socket;
      socket = undefined;
      closing?.close(1000, 'page closed the connection');
      const closed = new ApiError({ code: 'internal', message: 'the connection to h5blocks serve was closed' });
      waiting.splice(0);
      for (const call of pending.values()) call.reject(closed);
      pending.clear();
    },
  };
}

/** ws:// (or wss://) on this page's own host, with the token the page was opened with. */
function defaultUrl(): string {
  const location = globalThis.location;
  if (!location) throw new ApiError({ code: 'internal', message: 'no page location to connect to; pass the server URL' });
  const url = new URL(API_PATH, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.search = '';
  const token = new URLSearchParams(location.search).get('token');
  if (token) url.searchParams.set('token', token);
  return url.toString();
}
