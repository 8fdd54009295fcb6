import type { RawData, WebSocket } from 'ws';
import type { ErrorInfo } from '../../shared/errors';
import type { AppService } from '../app/service';
import { dispatchCall } from '../app/dispatch';

/**
 * The API over one WebSocket. Requests are `{id, method, args}` and each gets
 * exactly one `{id, result}` or `{id, error}`; events are pushed as
 * `{event, payload}`. Messages are JSON text.
 */
export function bridgeSocket(socket: WebSocket, service: AppService): void {
  const send = (message: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const unsubscribe = service.subscribe((event, payload) => send({ event, payload }));
  socket.on('close', unsubscribe);
  socket.on('error', () => socket.terminate());
  socket.on('message', (data: RawData, isBinary: boolean) => {
    const request = parseRequest(data, isBinary);
    if ('error' in request) {
      send({ id: request.id, error: request.error });
      return;
    }
    void dispatchCall(service, request.method, request.args).then((outcome) =>
      send(outcome.ok ? { id: request.id, result: outcome.result } : { id: request.id, error: outcome.error }));
  });
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
