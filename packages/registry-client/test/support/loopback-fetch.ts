// The network rule for tests: a fetch that reaches loopback only. A request for any other
// host is recorded and refused before a connection is made, so tests can assert none happened.
import { isLoopbackRegistry } from '../../src/index.js';

export interface LoopbackFetch {
  readonly fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** URLs the code under test tried to reach beyond loopback. */
  readonly refused: string[];
  /** Every request, in order. */
  readonly requests: Array<{ readonly method: string; readonly url: string }>;
}

export function loopbackOnlyFetch(): LoopbackFetch {
  const refused: string[] = [];
  const requests: Array<{ method: string; url: string }> = [];
  return {
    refused,
    requests,
    fetch: (url, init) => {
      requests.push({ method: init.method ?? 'GET', url });
      if (!isLoopbackRegistry(new URL(url).host)) {
        refused.push(url);
        return Promise.reject(
          new Error(`test network rule: refused to reach ${new URL(url).host}`),
        );
      }
      return fetch(url, init);
    },
  };
}
