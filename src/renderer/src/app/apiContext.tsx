import { createContext, useContext, type ReactNode } from 'react';
import type { ApiEvents, H5BlocksApi } from '@shared/api';

export type Subscribe = <E extends keyof ApiEvents>(event: E, listener: (payload: ApiEvents[E]) => void) => () => void;

/** The API and its event stream, injected so components never reach for a global transport (tests pass a fake). */
export interface ApiClient {
  api: H5BlocksApi;
  subscribe: Subscribe;
}

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi outside ApiProvider');
  return client;
}
