import type { ApiEvents } from '@shared/api';

export type ApiEventName = keyof ApiEvents;
export type ApiEventListener = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void;

/** Events from the service to every transport (IPC window, WebSocket clients) that listens. */
export class EventBus {
  private readonly listeners = new Set<ApiEventListener>();

  subscribe(listener: ApiEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, payload);
      } catch {
        // One broken listener (a closed socket) must not keep the others from hearing.
      }
    }
  }
}
