import type { RawData, WebSocket } from 'ws';
import type { ErrorInfo } from '@shared/errors';
import type { AppService } from '../app/service';
import { dispatchCall } from '../app/dispatch';
import { publicError } from '../app/publicError';
import { validateCall } from '@shared/apiSchema';
import type { CallOutcome } from '@shared/ipcChannels';
import { CallSlots } from './callSlots';

/**
 * getValue calls answered at once across all pages: each reply can hold a
 * million values (tens of MB on their way out), and they are read one after
 * another in a file's I/O thread anyway. One is read while the other is sent.
 */
export const VALUE_CALLS_AT_ONCE = 2;
/** Every other call (small replies) answered at once across all pages. */
export const OTHER_CALLS_AT_ONCE = 32;
/** A page with this many calls unanswered is not read from until some are answered (TCP holds back the rest). */
export const CALLS_PER_PAGE = 8;
/** A page that has not taken a reply (or its events) this long after it was sent is disconnected: it stopped reading. */
export const REPLY_TAKE_LIMIT_MS = 30_000;
/** A page that lets more than this pile up unread is disconnected at once. */
export const MAX_UNREAD_BYTES = 96 * 1024 * 1024;

/** The places shared by every page of one server (see CallSlots). */
export interface ServerSlots {
  values: CallSlots;
  other: CallSlots;
}

export function serverSlots(): ServerSlots {
  return { values: new CallSlots(VALUE_CALLS_AT_ONCE), other: new CallSlots(OTHER_CALLS_AT_ONCE) };
}

/**
 * The API over one WebSocket. Requests are `{id, method, args}` and each gets
 * exactly one `{id, result}` or `{id, error}`; events are pushed as
 * `{event, payload}`. Messages are JSON text. Calls wait for a place in
 * `slots`, shared by all pages, which bounds the server's memory however many
 * pages ask at once.
 */
export function bridgeSocket(socket: WebSocket, service: AppService, slots: ServerSlots = serverSlots()): void {
  let unanswered = 0;
  /** Replies on their way out: each gives its place back once the socket took it, or when the socket closes. */
  const unread = new Map<NodeJS.Timeout, (() => void) | undefined>();
  /** Sends one message, which may come in parts (JSON text already made elsewhere), as one WebSocket message. */
  const sendParts = (parts: (string | Uint8Array)[], taken?: () => void) => {
    if (socket.readyState !== socket.OPEN) {
      taken?.();
      return;
    }
    const bytes = parts.reduce((total, part) => total + part.length, 0);
    if (socket.bufferedAmount + bytes > MAX_UNREAD_BYTES) {
      taken?.();
      socket.terminate();
      return;
    }
    const timer = setTimeout(() => socket.terminate(), REPLY_TAKE_LIMIT_MS);
    timer.unref();
    unread.set(timer, taken);
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      socket.send(part, { binary: false, fin: last }, last ? () => {
        clearTimeout(timer);
        if (unread.delete(timer)) taken?.();
      } : undefined);
    });
  };
  const send = (message: unknown, taken?: () => void) => sendParts([JSON.stringify(message)], taken);
  const unsubscribe = service.subscribe((event, payload) => send({ event, payload }));
  socket.on('close', () => {
    unsubscribe();
    for (const [timer, taken] of unread) {
      clearTimeout(timer);
      taken?.();
    }
    unread.clear();
  });
  socket.on('error', () => socket.terminate());
  socket.on('message', (data: RawData, isBinary: boolean) => {
    const request = parseRequest(data, isBinary);
    if ('error' in request) {
      send({ id: request.id, error: request.error });
      return;
    }
    if (++unanswered >= CALLS_PER_PAGE) socket.pause();
    const answered = () => {
      if (--unanswered < CALLS_PER_PAGE && socket.isPaused && socket.readyState === socket.OPEN) socket.resume();
    };
    const place = request.method === 'getValue' ? slots.values : slots.other;
    void place.take().then(async (release) => {
      const done = () => {
        release();
        answered();
      };
      // The page left while this call waited: nobody wants its answer.
      if (socket.readyState !== socket.OPEN) return done();
      const value = request.method === 'getValue' ? await valueJson(service, request.args) : undefined;
      if (value instanceof Uint8Array) {
        sendParts([`{"id":${JSON.stringify(request.id)},"result":`, value, '}'], done);
        return;
      }
      const outcome = value ?? await dispatchCall(service, request.method, request.args);
      send(outcome.ok ? { id: request.id, result: outcome.result } : { id: request.id, error: outcome.error }, done);
    });
  });
}

/** getValue's reply as JSON text made in the file's I/O thread, or the failure as any call's. */
async function valueJson(service: AppService, args: unknown): Promise<Uint8Array | CallOutcome> {
  try {
    const [fileId, path, ranges, options] = validateCall('getValue', args).args as Parameters<AppService['getValue']>;
    return await service.getValueJson(fileId, path, ranges, options);
  } catch (error) {
    return { ok: false, error: publicError(error) };
  }
}

type RequestId = string | number | null;

function parseRequest(data: RawData, isBinary: boolean): { id: RequestId; method: unknown; args: unknown } | { id: RequestId; error: ErrorInfo } {
  const refuse = (id: RequestId, message: string) => ({ id, error: { code: 'invalid-argument' as const, message } });
  if (isBinary) return refuse(null, 'messages must be JSON text: {"id", "method", "args"}');
  let message: unknown;
  try {
    message = JSON.parse(data.toString());
  } catch {
    return refuse(null, 'a message was not valid JSON; send {"id", "method", "args"}');
  }
  if (!message || typeof message !== 'object') return refuse(null, 'a message must be an object: {"id", "method", "args"}');
  const { id, method, args } = message as { id?: unknown; method?: unknown; args?: unknown };
  const validId = typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if (!validId) return refuse(null, 'a request needs an "id" (a string or a number)');
  return { id, method, args: args ?? [] };
}
