// The CLI's client of one platform environment: every call of platform-api's route table, with
// credentials chosen as SPEC §4 orders them, one refresh on an expired session, and each answer
// read by its reader in hosted-answers.ts (the contract's forms and the hosted platform's).
import {
  type CreateRegistryEntryRequest,
  type PublishRequest,
  type PublishState,
  type RegisterKeyRequest,
  type ResponseBody,
  type RouteDefinition,
  routePath,
  routes,
} from '@hla-compass/platform-api';
import { isLoopbackHost } from '@hla-compass/platform-api/loopback';
import type { ResolvedEnvironment } from '../config/environments.js';
import type { Settings } from '../config/variables.js';
import {
  AuthenticationError,
  type CliError,
  RejectedError,
  relayed,
  ServiceUnavailableError,
} from '../errors.js';
import type { Logger } from '../terminal.js';
import {
  readCredentials,
  refreshLockPath,
  type StoredCredentials,
  writeCredentials,
} from './credentials.js';
import { platformError } from './errors.js';
import {
  type Answer,
  readContract,
  readMe,
  readModuleDetail,
  readModuleList,
  readModuleVersionList,
  readPublishAccepted,
  readPublishConfig,
  readPublishStatus,
  readTokens,
  type SessionTokens,
} from './hosted-answers.js';
import {
  DEFAULT_RETRY_POLICY,
  type HttpOptions,
  type HttpResponse,
  NetworkError,
  send,
  withRequestLog,
} from './http.js';
import { acquireRefreshLock } from './refresh-lock.js';

export type CredentialSource =
  | 'HLA_ACCESS_TOKEN'
  | 'stored token'
  | 'HLA_API_KEY'
  | 'stored API key';

export interface ActiveCredentials {
  readonly source: CredentialSource;
  readonly headers: Readonly<Record<string, string>>;
  readonly stored?: StoredCredentials;
}

export interface PlatformClientOptions {
  readonly environment: ResolvedEnvironment;
  readonly configDir: string;
  readonly settings: Settings;
  readonly logger: Logger;
  readonly http: HttpOptions;
  /** False for read-only runs (`publish --dry-run`): an expired session is then an error, not a write. */
  readonly allowRefresh: boolean;
}

/** Reads one parsed JSON answer (undefined for a bodyless one) into what the CLI uses. */
type Reader<T> = (body: unknown) => Answer<T>;

interface CallInput {
  /** Whether repeating the request is harmless; by default GET/DELETE and keyed POSTs are. */
  readonly idempotent?: boolean;
  readonly params?: Record<string, string>;
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Another API base URL than the environment's (the one that issued a stored session). */
  readonly baseUrl?: string;
  /** At most this many attempts, fewer than the retry policy's. */
  readonly attempts?: number;
}

export class PlatformClient {
  readonly environment: ResolvedEnvironment;
  readonly #options: PlatformClientOptions;
  #credentials: Promise<ActiveCredentials | undefined> | undefined;

  constructor(options: PlatformClientOptions) {
    this.environment = options.environment;
    // --verbose: a line per request to the platform (method, URL without secrets, status, id, time).
    this.#options = { ...options, http: withRequestLog(options.http, options.logger) };
  }

  // Sign-in: no credentials needed.

  /** Repeating a sign-in is harmless: at worst a second session is issued. */
  login(email: string, password: string): Promise<SessionTokens> {
    return this.#anonymous(routes.login, readTokens, {
      body: { email, password },
      idempotent: true,
    });
  }

  /** Codes are single use, so the exchange is never repeated. */
  exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<SessionTokens> {
    return this.#anonymous(routes.exchangeCode, readTokens, {
      body: { code, codeVerifier, redirectUri },
      idempotent: false,
    });
  }

  /** Identity as seen with explicit headers (used to check an API key before storing it). */
  meWith(headers: Record<string, string>) {
    return this.#anonymous(routes.me, readMe, { headers });
  }

  // Everything else: authenticated.

  me() {
    return this.#call(routes.me, readMe, {});
  }

  publishConfig() {
    return this.#call(
      routes.publishConfig,
      (body) => readPublishConfig(body, this.environment.name),
      {},
    );
  }

  publish(request: PublishRequest, idempotencyKey: string) {
    const sent = { request, environment: this.environment.name };
    return this.#call(routes.publish, (body) => readPublishAccepted(body, sent), {
      body: request,
      headers: { 'idempotency-key': idempotencyKey },
    });
  }

  publishStatus(publishId: string) {
    const asked = { publishId, environment: this.environment.name };
    return this.#call(routes.publishStatus, (body) => readPublishStatus(body, asked), {
      params: { publishId },
    });
  }

  /** The review queue of superusers: every org's publishes in `state` (SUBMITTED by default). */
  listReviewPublishes(query: { state?: PublishState; limit?: number; offset?: number } = {}) {
    return this.#contract(routes.listReviewPublishes, {
      query,
    });
  }

  /** Not repeated: a second approval of the same publish is refused (a decision is final). */
  approvePublish(publishId: string, comment?: string) {
    const asked = { publishId, environment: this.environment.name };
    return this.#call(routes.approvePublish, (body) => readPublishStatus(body, asked), {
      params: { publishId },
      body: comment === undefined ? {} : { comment },
    });
  }

  rejectPublish(publishId: string, reason: string) {
    const asked = { publishId, environment: this.environment.name };
    return this.#call(routes.rejectPublish, (body) => readPublishStatus(body, asked), {
      params: { publishId },
      body: { reason },
    });
  }

  listRegistries(orgId: string) {
    return this.#contract(routes.listRegistries, {
      params: { orgId },
    });
  }

  /**
   * The body may carry pull credentials: they travel only here, and the answer says no more than
   * `hasCredentials`. Not repeated: a second add of the same pattern is refused.
   */
  createRegistry(orgId: string, body: CreateRegistryEntryRequest) {
    return this.#contract(routes.createRegistry, {
      params: { orgId },
      body,
    });
  }

  deleteRegistry(orgId: string, entryId: string) {
    return this.#contract(routes.deleteRegistry, {
      params: { orgId, entryId },
    });
  }

  listModules(page: { limit?: number; offset?: number } = {}) {
    return this.#call(routes.listModules, readModuleList, { query: page });
  }

  getModule(moduleId: string) {
    return this.#call(routes.getModule, (body) => readModuleDetail(body, moduleId), {
      params: { moduleId },
    });
  }

  listModuleVersions(moduleId: string) {
    return this.#call(routes.listModuleVersions, readModuleVersionList, { params: { moduleId } });
  }

  /** Registering a key that is already the caller's answers 200, so repeating it is harmless. */
  registerKey(body: RegisterKeyRequest) {
    return this.#contract(routes.registerKey, {
      body,
      idempotent: true,
    });
  }

  listKeys() {
    return this.#contract(routes.listKeys, {});
  }

  revokeKey(fingerprint: string) {
    return this.#contract(routes.revokeKey, {
      params: { fingerprint },
    });
  }

  /**
   * Ends a stored sign-in at the platform that issued it, so its tokens stop working (not only
   * this machine's copy). Not repeated once it may have reached the platform: logout must not
   * wait out timeouts on a platform that is down, and it removes the local file whatever this
   * answers. A 404 is a platform without the
   * route (an older hosted one); a 401, a sign-in that had already ended.
   */
  async endSession(
    stored: StoredCredentials,
  ): Promise<'ended' | 'already ended' | 'not supported' | 'no session'> {
    if (stored.accessToken === undefined && stored.refreshToken === undefined) return 'no session';
    // To the URL that issued the tokens, even when the environment points elsewhere now: the
    // only URL they may be sent to (SPEC §4), and the only one that can end their sign-in.
    const response = await this.#exchange(routes.logout, {
      baseUrl: stored.apiUrl,
      headers: stored.accessToken === undefined ? {} : bearer(stored.accessToken),
      body: stored.refreshToken === undefined ? {} : { refreshToken: stored.refreshToken },
      idempotent: false,
    });
    if (response.status === 404) return 'not supported';
    if (response.status === 401) return 'already ended';
    if (!isSuccess(response.status)) throw platformError(response, this.environment.name);
    return 'ended';
  }

  /** The credentials calls will use  /** The credentials calls will use, by SPEC §4's precedence; undefined when there are none. */
  credentials(): Promise<ActiveCredentials | undefined> {
    this.#credentials ??= this.#resolveCredentials();
    return this.#credentials;
  }

  async #resolveCredentials(): Promise<ActiveCredentials | undefined> {
    const { settings, environment, configDir, logger } = this.#options;
    const envToken = settings.get('HLA_ACCESS_TOKEN');
    if (envToken) return { source: 'HLA_ACCESS_TOKEN', headers: bearer(envToken) };

    let stored = await readCredentials(configDir, environment.name);
    if (stored && stored.apiUrl !== environment.apiUrl) {
      logger.warn(
        `ignoring the stored ${environment.name} credentials: they were issued by ${stored.apiUrl}, and ${environment.name} now points at ${environment.apiUrl}`,
      );
      stored = undefined;
    }
    if (stored?.accessToken) {
      return { source: 'stored token', headers: bearer(stored.accessToken), stored };
    }
    const envKey = settings.get('HLA_API_KEY');
    if (envKey) return { source: 'HLA_API_KEY', headers: { 'x-api-key': envKey } };
    if (stored?.apiKey) {
      return { source: 'stored API key', headers: { 'x-api-key': stored.apiKey }, stored };
    }
    return undefined;
  }

  async #call<T>(route: RouteDefinition, read: Reader<T>, input: CallInput): Promise<T> {
    let credentials = await this.credentials();
    if (credentials === undefined) {
      throw new AuthenticationError(`not logged in to ${this.environment.name}`, {
        hint: `run \`hla-compass auth login --env ${this.environment.name}\`, or set HLA_ACCESS_TOKEN or HLA_API_KEY`,
      });
    }
    let response = await this.#exchange(route, {
      ...input,
      headers: { ...input.headers, ...credentials.headers },
    });
    if (response.status === 401 && credentials.source === 'stored token') {
      credentials = await this.#refresh(credentials);
      response = await this.#exchange(route, {
        ...input,
        headers: { ...input.headers, ...credentials.headers },
      });
    }
    if (response.status === 401) throw this.#unauthenticated(credentials.source, response);
    return this.#parse(route, read, response);
  }

  /** A call whose answer the hosted platform gives in the contract's form only: read by its schema. */
  #contract<R extends RouteDefinition>(route: R, input: CallInput): Promise<ResponseBody<R>> {
    return this.#call(route, contractReader(route), input);
  }

  async #anonymous<T>(route: RouteDefinition, read: Reader<T>, input: CallInput): Promise<T> {
    return this.#parse(route, read, await this.#exchange(route, input));
  }

  /**
   * Renews an expired stored session, once per process and once among the processes that share
   * the config dir: under the refresh lock, the credentials file is read again first, and when
   * another command renewed the session meanwhile its tokens are used as they are.
   */
  async #refresh(credentials: ActiveCredentials): Promise<ActiveCredentials> {
    const name = this.environment.name;
    const { configDir, logger, http } = this.#options;
    const stored = credentials.stored;
    if (stored !== undefined && stored.refreshToken === undefined) {
      throw new AuthenticationError(
        `your ${name} session has expired, and it cannot be renewed: the platform gave no refresh token`,
        { hint: `run \`hla-compass auth login --env ${name}\`` },
      );
    }
    if (!this.#options.allowRefresh || stored?.refreshToken === undefined) {
      throw new AuthenticationError(`your ${name} session has expired`, {
        hint: `run \`hla-compass auth login --env ${name}\``,
      });
    }
    // Long enough for another command's refresh, both of its attempts timing out included.
    const bound = 2 * http.timeoutMs + 5_000;
    const lock = await acquireRefreshLock(refreshLockPath(configDir, name), {
      waitMs: bound,
      staleMs: bound,
      onWait: () =>
        logger.debug(`waiting for another hla-compass command to renew the ${name} session`),
    });
    if (!lock.held) logger.debug(`renewing the ${name} session without the lock: ${lock.reason}`);
    try {
      const renewedElsewhere = await this.#renewedElsewhere(stored);
      const renewed = renewedElsewhere ?? (await this.#renew(stored));
      const active: ActiveCredentials = {
        source: 'stored token',
        headers: bearer(renewed.accessToken ?? ''),
        stored: renewed,
      };
      this.#credentials = Promise.resolve(active);
      return active;
    } finally {
      await lock.release();
    }
  }

  /** The session in the credentials file, when another command renewed it after this one read it. */
  async #renewedElsewhere(stored: StoredCredentials): Promise<StoredCredentials | undefined> {
    const name = this.environment.name;
    const current = await readCredentials(this.#options.configDir, name);
    if (current === undefined) {
      throw new AuthenticationError(
        `not logged in to ${name}: the session was logged out while this command ran`,
        {
          hint: `run \`hla-compass auth login --env ${name}\``,
        },
      );
    }
    const changed =
      current.apiUrl === stored.apiUrl &&
      current.accessToken !== undefined &&
      current.accessToken !== stored.accessToken;
    if (!changed) return undefined;
    this.#options.logger.debug(`using the ${name} session another hla-compass command renewed`);
    return current;
  }

  async #renew(stored: StoredCredentials): Promise<StoredCredentials> {
    const name = this.environment.name;
    this.#options.logger.debug(`refreshing the ${name} session`);
    // A refresh token is single use, but the platform answers one presented again within its
    // grace window (30 s after it rotated it, while the successor is unused) with the same
    // successor: so a refresh whose answer was lost (connection reset, timeout, 5xx) is sent once
    // more, and if that is lost too the stored token is still good for the next command within
    // the window. A lost answer does not burn the session.
    // Both spellings: the contract's, and the hosted platform's (the SDK sends `refresh_token`).
    const response = await this.#exchange(routes.refresh, {
      body: { refreshToken: stored.refreshToken, refresh_token: stored.refreshToken },
      idempotent: true,
      attempts: 2,
    });
    if (!isSuccess(response.status)) throw this.#refused(response);
    const tokens = this.#parse(routes.refresh, readTokens, response);
    const renewed: StoredCredentials = {
      ...stored,
      accessToken: tokens.accessToken,
      // An answer without one keeps the old refresh token (RFC 6749 §6: issuing one is optional).
      refreshToken: tokens.refreshToken ?? stored.refreshToken,
      expiresAt: new Date(Date.now() + tokens.expiresIn * 1000).toISOString(),
      savedAt: new Date().toISOString(),
    };
    await writeCredentials(this.#options.configDir, renewed);
    return renewed;
  }

  /**
   * A refused refresh with the platform's own reason (reuse, expiry, revocation) and code. A
   * platform that failed or asks to wait (5xx, 429) said nothing about the session: that error
   * as it is, so it exits 4 or 1, not 3.
   */
  #refused(response: HttpResponse): CliError {
    const name = this.environment.name;
    const error = platformError(response, name);
    if (response.status >= 500 || response.status === 429) return error;
    return new AuthenticationError(
      `your ${name} session has expired, and ${name} refused to renew it: ${error.message}`,
      {
        hint: `run \`hla-compass auth login --env ${name}\``,
        // The platform's reason, as it said it; exit 3 all the same: the session is gone.
        code: relayed(error.code),
        requestId: error.requestId ?? response.requestId,
      },
    );
  }

  #unauthenticated(source: CredentialSource, response: HttpResponse): AuthenticationError {
    const name = this.environment.name;
    const fix =
      source === 'HLA_ACCESS_TOKEN' || source === 'HLA_API_KEY'
        ? `${source} was refused by ${name}: set a valid one, or unset it and run \`hla-compass auth login --env ${name}\``
        : `run \`hla-compass auth login --env ${name}\``;
    const error = platformError(response, name);
    return new AuthenticationError(error.message, {
      hint: fix,
      requestId: error.requestId ?? response.requestId,
      code: relayed(error.code),
    });
  }

  async #exchange(route: RouteDefinition, input: CallInput): Promise<HttpResponse> {
    const path = routePath(route, input.params ?? {});
    const url = new URL(`${input.baseUrl ?? this.environment.apiUrl}${path}`);
    // The SDK's variable, so one id can follow a run through the platform's logs.
    const correlationId = this.#options.settings.get('HLA_CORRELATION_ID');
    for (const [key, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    try {
      return await send(
        {
          method: route.method,
          url: url.toString(),
          headers: {
            ...input.headers,
            ...(correlationId === undefined ? {} : { 'x-correlation-id': correlationId }),
          },
          body: input.body === undefined ? undefined : JSON.stringify(input.body),
          idempotent:
            input.idempotent ??
            (route.method !== 'POST' || input.headers?.['idempotency-key'] !== undefined),
        },
        input.attempts === undefined
          ? this.#options.http
          : withAttempts(this.#options.http, input.attempts),
      );
    } catch (error) {
      if (error instanceof NetworkError) {
        throw new ServiceUnavailableError(
          `${error.message} (the ${this.environment.name} platform)`,
          {
            requestId: error.requestId,
            hint: unreachableHint(this.environment),
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  /**
   * Any 2xx is an answer (the hosted platform may say 200 where the contract says 202); anything
   * else is an error. An answer without what the CLI needs says which field of which route.
   */
  #parse<T>(route: RouteDefinition, read: Reader<T>, response: HttpResponse): T {
    if (!isSuccess(response.status)) throw platformError(response, this.environment.name);
    let answer: Answer<T>;
    if (route.responses[response.status] === null) {
      answer = read(undefined);
    } else if (response.text.trim() === '') {
      answer = { ok: false, problem: 'is empty' };
    } else {
      const body = parseJson(response.text);
      answer = body.ok ? read(body.value) : body;
    }
    if (!answer.ok) {
      throw new RejectedError(
        `the platform's answer to ${route.method} ${route.path} ${answer.problem}`,
        {
          code: 'UNEXPECTED_RESPONSE',
          requestId: response.requestId,
          hint: 'this CLI and the platform may be of different versions: update hla-compass, and quote the request id if it persists',
        },
      );
    }
    return answer.value;
  }
}

/**
 * Reads an answer by the route's response schema, so the call returns the route's own type. A
 * route's success statuses share one schema where it has several (a key registered anew, 201, or
 * already the caller's, 200), and the hosted platform may answer 200 for the contract's 201: so
 * the first schema serves every status.
 */
function contractReader<R extends RouteDefinition>(route: R): Reader<ResponseBody<R>> {
  const schema = Object.values(route.responses).find((response) => response !== null);
  const read = schema === undefined ? () => ({ ok: true, value: undefined }) : readContract(schema);
  return read as Reader<ResponseBody<R>>;
}

function parseJson(text: string): Answer<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, problem: 'is not JSON' };
  }
}

function withAttempts(http: HttpOptions, attempts: number): HttpOptions {
  const policy = http.retry ?? DEFAULT_RETRY_POLICY;
  return { ...http, retry: { ...policy, attempts: Math.min(attempts, policy.attempts) } };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function unreachableHint(environment: ResolvedEnvironment): string {
  return isLoopbackHost(new URL(environment.apiUrl).hostname)
    ? `is the local platform running? Start it with \`npm run platform\` (API ${environment.apiUrl})`
    : `check your network and the API URL (${environment.apiUrl}, from ${environment.apiUrlFrom}); \`hla-compass env list\` shows where it comes from`;
}
