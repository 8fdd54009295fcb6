import { API_METHODS, type ApiMethod, type ApiTransport, type H5BlocksApi } from '@shared/api';
import type { ValueSlice } from '@shared/entities';
import { decodeOverview, type Overview } from '@shared/overview';
import { decodeValueSlice } from '@shared/wireValues';
import { decodeExpressionPreview, type ExpressionPreview } from '@shared/expression';

const KNOWN = new Set<string>(API_METHODS);

/**
 * The typed API over any transport: `client.getEntity(id, '/')` sends
 * `getEntity` with its arguments and resolves with the result. Value slices come
 * back with NaN and ±Infinity as numbers again (see H5BlocksApi.getValue).
 */
export function createApiClient(transport: ApiTransport): H5BlocksApi {
  const methods = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy({} as H5BlocksApi, {
    get(_target, property) {
      // Anything else (then, toJSON, symbols) is undefined, so the client is not mistaken for a promise.
      if (typeof property !== 'string' || !KNOWN.has(property)) return undefined;
      let method = methods.get(property);
      if (!method) {
        const name = property as ApiMethod;
        method = async (...args: unknown[]) => {
          const result = await transport.call(name, args);
          if (name === 'getValue') return decodeValueSlice(result as ValueSlice);
          if (name === 'previewExpression') return decodeExpressionPreview(result as ExpressionPreview);
          return name === 'getOverview' ? decodeOverview(result as Overview) : result;
        };
        methods.set(property, method);
      }
      return method;
    },
    has: (_target, property) => typeof property === 'string' && KNOWN.has(property),
  });
}
