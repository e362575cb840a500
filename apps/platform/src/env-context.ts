// What the services of one environment work with: its name, its store, the clock and the
// settings that the start-up options chose.
import type { Environment } from '@hla-compass/platform-api';
import type { ImageResolver } from './services/image-resolution.js';
import type { LoginRateLimiter } from './services/login-rate-limit.js';
import type { EnvStore } from './store/env-store.js';

export interface EnvContext {
  readonly name: Environment;
  readonly store: EnvStore;
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly accessTokenTtlSeconds: number;
  readonly loginLimiter: LoginRateLimiter;
  readonly images: ImageResolver;
}

export const isoTime = (context: Pick<EnvContext, 'now'>): string =>
  new Date(context.now()).toISOString();
