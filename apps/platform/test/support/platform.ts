// A started emulator for HTTP-level tests: a real port on 127.0.0.1, a typed caller built on
// the platform-api route table, and the seeded accounts.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Environment,
  errorBodySchema,
  type RouteDefinition,
  routePath,
  routes,
  tokensSchema,
} from '@hla-compass/platform-api';
import {
  createApp,
  DEFAULT_SEED_FILE,
  type RunningPlatform,
  registryImageResolver,
  type StartOptions,
  startPlatform,
} from '../../src/index.js';
import { Platform } from '../../src/platform.js';
import { prepareSeed } from '../../src/services/seed.js';

export const defaultSeed = JSON.parse(readFileSync(DEFAULT_SEED_FILE, 'utf8')) as {
  orgs: { id: string; allowlist: unknown[] }[];
  users: { email: string; password: string; apiKey: string; org: string }[];
};

export const ACCOUNTS = {
  viewer: {
    email: 'viewer@your-org.test',
    password: 'dev-only-viewer-password',
    apiKey: 'hlc_ak_dev-only-your-org-viewer',
  },
  developer: {
    email: 'developer@your-org.test',
    password: 'dev-only-developer-password',
    apiKey: 'hlc_ak_dev-only-your-org-developer',
  },
  admin: {
    email: 'admin@your-org.test',
    password: 'dev-only-admin-password',
    apiKey: 'hlc_ak_dev-only-your-org-admin',
  },
  other: {
    email: 'developer@other-org.test',
    password: 'dev-only-other-developer-password',
    apiKey: 'hlc_ak_dev-only-other-org-developer',
  },
  superuser: {
    email: 'superuser@platform.test',
    password: 'dev-only-superuser-password',
    apiKey: 'hlc_ak_dev-only-platform-superuser',
  },
} as const;
export type AccountName = keyof typeof ACCOUNTS;

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Sent as is (for malformed or oversized bodies). */
  rawBody?: string;
  token?: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read fields of many response shapes.
  body: any;
}

export class TestPlatform {
  readonly running: RunningPlatform;
  readonly dataDir: string | undefined;

  constructor(running: RunningPlatform, dataDir: string | undefined) {
    this.running = running;
    this.dataDir = dataDir;
  }

  get url(): string {
    return this.running.url;
  }

  async call(
    env: Environment,
    route: RouteDefinition,
    options: CallOptions = {},
  ): Promise<CallResult> {
    const url = new URL(`${this.url}/${env}${routePath(route, options.params)}`);
    for (const [key, value] of Object.entries(options.query ?? {}))
      url.searchParams.set(key, value);
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
    const body =
      options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, {
      method: route.method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    const parsed = text === '' ? undefined : JSON.parse(text);
    if (response.status >= 400) errorBodySchema.parse(parsed);
    return { status: response.status, headers: response.headers, body: parsed };
  }

  /** POSTs to an /_emulator control route as its documented callers do: JSON and the token. */
  control(path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.url}/_emulator/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-emulator-token': this.running.controlToken,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async login(env: Environment, account: AccountName): Promise<string> {
    const { email, password } = ACCOUNTS[account];
    const result = await this.call(env, routes.login, { body: { email, password } });
    if (result.status !== 200)
      throw new Error(`login ${email} failed: ${JSON.stringify(result.body)}`);
    return tokensSchema.parse(result.body).accessToken;
  }

  stop(): Promise<void> {
    return this.running
      .stop()
      .finally(() =>
        this.dataDir === undefined ? undefined : rm(this.dataDir, { recursive: true, force: true }),
      );
  }
}

export async function startTestPlatform(
  options: Omit<StartOptions, 'port' | 'host' | 'dataDir'> & { persistent?: boolean } = {},
): Promise<TestPlatform> {
  const { persistent, ...rest } = options;
  const dataDir =
    persistent === true ? await mkdtemp(join(tmpdir(), 'hla-compass-platform-')) : undefined;
  const running = await startPlatform({
    port: 0,
    ...(dataDir === undefined ? {} : { dataDir }),
    ...rest,
  });
  return new TestPlatform(running, dataDir);
}

/** A manifest that validates; `overrides` replace top-level fields. */
export function manifest(name: string, version: string, overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: '1.0',
    name,
    version,
    type: 'no-ui',
    execution: { entrypoint: 'backend.main:Module' },
    pricing: { tiers: [{ tier: 'developer', amountAct: 0 }] },
    ...overrides,
  };
}

/**
 * The emulator's app without a listener, seeded with the default seed, for a test that hands it
 * the socket addresses a real connection would have (`app.fetch(request, { incoming })`).
 * `platform.close()` ends it.
 */
export async function inProcessEmulator(
  controlToken: string,
): Promise<{ platform: Platform; app: ReturnType<typeof createApp> }> {
  const platform = new Platform({
    dataDir: undefined,
    seed: prepareSeed(defaultSeed),
    accessTokenTtlSeconds: 60,
    loginRateLimit: { attempts: 10, windowSeconds: 60 },
    images: registryImageResolver(),
    now: Date.now,
  });
  await platform.seedEmpty();
  const app = createApp(platform, {
    log: () => {},
    baseUrl: () => 'http://127.0.0.1:4100',
    startedAt: 0,
    controlToken,
  });
  return { platform, app };
}
