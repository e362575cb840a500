// The client side of the Python SDK 2.0.13 (`hla-compass`), as python-sdk.md §4 and §5 and the
// captured wire data describe it: the headers it sends, how it reads answers and errors, and its
// loopback listener for the browser sign-in. The emulator is checked against it without Python.
import { constants, createHash, type KeyObject, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type LosslessJsonObject,
  legacyManifestBytes,
  parseJsonLossless,
} from '@hla-compass/signing';

/** §5.5: `hla-compass-sdk/{ver} python/{pyver} os/{system}-{release}`. */
export const SDK_USER_AGENT = 'hla-compass-sdk/2.0.13 python/3.11.9 os/Linux-6.1.0';

/** `Authorization: Bearer` when there is a token, else `X-API-Key` (§4.6). */
export type SdkCredentials = { readonly bearer: string } | { readonly apiKey: string };

export interface SdkRequest {
  readonly body?: unknown;
  readonly credentials?: SdkCredentials;
  /** The POST's `Idempotency-Key`: the SDK reuses one across a call's retries. */
  readonly idempotencyKey?: string;
}

export interface SdkAnswer {
  readonly status: number;
  /** The parsed JSON body; `{}` for an empty one, as the SDK treats a 204. */
  readonly body: unknown;
  /** The `X-Request-Id` this attempt sent. */
  readonly requestId: string;
  readonly headers: Headers;
}

/** One attempt of an SDK call, with the headers of §5.5. */
export async function sdkRequest(
  apiBase: string,
  method: 'GET' | 'POST',
  path: string,
  request: SdkRequest = {},
): Promise<SdkAnswer> {
  const requestId = randomUUID();
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Content-Type': 'application/json',
    'User-Agent': SDK_USER_AGENT,
    'X-Request-Id': requestId,
  };
  const { credentials } = request;
  if (credentials !== undefined && 'bearer' in credentials) {
    headers.Authorization = `Bearer ${credentials.bearer}`;
  } else if (credentials !== undefined) {
    headers['X-API-Key'] = credentials.apiKey;
  }
  if (method === 'POST') headers['Idempotency-Key'] = request.idempotencyKey ?? randomUUID();
  const response = await fetch(`${apiBase}${path}`, {
    method,
    headers,
    ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
  });
  const text = await response.text();
  let body: unknown = {};
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`Invalid JSON response from API (HTTP ${response.status})`);
    }
  }
  return { status: response.status, body, requestId, headers: response.headers };
}

type JsonObject = Record<string, unknown>;
const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** §5.5: an object with a truthy `success` stands for its `data` (itself when there is none). */
export function sdkUnwrap(body: unknown): unknown {
  if (isObject(body) && body.success) return body.data ?? body;
  return body;
}

/** §5.5: the message of an error answer, as the SDK prints it. */
export function sdkErrorText(answer: SdkAnswer): string {
  const body = isObject(answer.body) ? answer.body : {};
  const nested = isObject(body.error) ? body.error.message : undefined;
  const found = [nested, body.message, body.detail].find(
    (value): value is string => typeof value === 'string' && value !== '',
  );
  const message =
    found === undefined
      ? `API request failed (status: ${answer.status})`
      : found.length > 500
        ? `${found.slice(0, 500)}...`
        : found;
  const requestId = answer.headers.get('x-request-id') ?? answer.requestId;
  return `${message} (request_id=${requestId})`;
}

export interface SdkStoredCredentials {
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly expires_in?: number;
}

/**
 * §4.3: what the SDK stores from a login or refresh answer, the direct form
 * `{access_token, refresh_token?, expires_in?}` or the legacy `{success, data}`; otherwise the
 * SDK fails with the answer's `error.message` or "Login failed".
 */
export function sdkCredentialsFrom(answer: SdkAnswer): SdkStoredCredentials {
  if (answer.status !== 200) throw new Error(sdkErrorText(answer));
  const data = sdkUnwrap(answer.body);
  if (isObject(data) && typeof data.access_token === 'string') {
    return {
      access_token: data.access_token,
      ...(typeof data.refresh_token === 'string' ? { refresh_token: data.refresh_token } : {}),
      ...(typeof data.expires_in === 'number' ? { expires_in: data.expires_in } : {}),
    };
  }
  const error = isObject(answer.body) && isObject(answer.body.error) ? answer.body.error : {};
  throw new Error(typeof error.message === 'string' ? error.message : 'Login failed');
}

/** §5.3: `publish-status --watch` stops on these statuses, compared lowercased. */
export function sdkWatchStops(status: unknown): boolean {
  return ['completed', 'failed', 'cancelled'].includes(String(status).toLowerCase());
}

/** §5.2 steps 12 and 13: what `hla-compass publish` prints for an answer. */
export function sdkPublishOutput(answer: SdkAnswer, env: string, scope: string): string[] {
  if (answer.status >= 400) {
    const lines = [`Publish failed (${answer.status}): ${sdkErrorText(answer)}`];
    if (answer.status === 401) {
      lines.push(`Hint: Run \`hla-compass auth login --env ${env}\` and retry.`);
    }
    if (answer.status === 403) {
      lines.push(
        'Hint: Ensure your account/org has permission to publish modules in this environment.',
      );
    }
    return lines;
  }
  const body = isObject(answer.body) ? answer.body : {};
  const lines = typeof body.publishId === 'string' ? [`Publish job: ${body.publishId}`] : [];
  if (body.state === 'SUBMITTED') {
    lines.push(
      '✓ Module submitted for approval (scope: public)',
      "A superuser must approve before it's publicly available",
    );
  } else if (body.state === 'APPROVED') {
    lines.push(`✓ Module published and approved (scope: ${scope})`);
  } else {
    lines.push(`✓ Module published to ${env}`);
  }
  return lines;
}

/** What the SDK's loopback listener made of the browser's callback (§4.2 steps 4 and 6). */
export type SdkCallbackResult =
  | { readonly ok: true; readonly credentials: SdkStoredCredentials }
  | { readonly ok: false; readonly error: string };

export interface SdkCallbackListener {
  /** `http://127.0.0.1:{port}/cli-callback` */
  readonly redirectUri: string;
  readonly state: string;
  /** `{console}/cli-login?redirect_uri=…&state=…`, url-encoded, no PKCE (§4.2 step 3). */
  loginUrl(consoleUrl: string): string;
  /** The raw query strings of the callbacks received, as the browser sent them. */
  readonly callbacks: string[];
  readonly result: Promise<SdkCallbackResult>;
  close(): Promise<void>;
}

/**
 * §4.2: the standard-base64 `payload`, read from the already URL-decoded query. Python's
 * `b64decode` drops characters outside the alphabet before checking the padding, so a `+` that
 * arrived raw (decoded to a space) corrupts the value instead of failing loudly.
 */
export function sdkDecodePayload(payload: string): unknown {
  const kept = payload.replace(/[^A-Za-z0-9+/=]/g, '');
  if (kept.length % 4 !== 0) throw new Error('Incorrect padding');
  return JSON.parse(Buffer.from(kept, 'base64').toString('utf8'));
}

const sdkUnwrapData = (value: unknown) => (isObject(value) ? value.data : undefined);

const page = (message: string) =>
  `<html><head><title>HLA-Compass CLI</title></head><body><p>${message}</p><script>window.close()</script></body></html>`;

/** §4.2 steps 1, 2 and 4: a listener on 127.0.0.1, an OS-chosen port, a 32-byte url-safe state. */
export async function startSdkCallbackListener(): Promise<SdkCallbackListener> {
  const state = randomBytes(32).toString('base64url');
  const callbacks: string[] = [];
  let settle: (result: SdkCallbackResult) => void = () => {};
  const result = new Promise<SdkCallbackResult>((resolve) => {
    settle = resolve;
  });
  const reply = (response: ServerResponse, status: number, message: string) => {
    response.writeHead(status, { 'Content-Type': 'text/html' }).end(page(message));
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/cli-callback') {
      response.writeHead(404).end('Not Found');
      return;
    }
    callbacks.push(url.search.slice(1));
    // URLSearchParams decodes as Python's parse_qs does: percent escapes, and `+` as a space.
    const query = url.searchParams;
    if (query.get('state') !== state) {
      reply(response, 400, 'Login failed: invalid state.');
      settle({ ok: false, error: 'Invalid state parameter' });
      return;
    }
    const error = query.get('error');
    if (error !== null) {
      reply(response, 200, `Login failed: ${error}`);
      settle({ ok: false, error });
      return;
    }
    const payload = query.get('payload');
    if (payload === null) {
      reply(response, 400, 'Missing credentials in callback.');
      settle({ ok: false, error: 'Missing credentials in callback.' });
      return;
    }
    let decoded: unknown;
    try {
      decoded = sdkDecodePayload(payload);
    } catch (failure) {
      reply(response, 400, 'Error processing login data.');
      settle({ ok: false, error: `Invalid payload: ${(failure as Error).message}` });
      return;
    }
    reply(response, 200, 'Login successful! You can close this tab and return to the terminal.');
    // Step 6: the payload itself when it has `access_token`, else its `data`.
    const saved = isObject(decoded) && 'access_token' in decoded ? decoded : sdkUnwrapData(decoded);
    if (isObject(saved) && typeof saved.access_token === 'string') {
      settle({ ok: true, credentials: saved as unknown as SdkStoredCredentials });
    } else {
      settle({ ok: false, error: 'Invalid credential format received from browser.' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const redirectUri = `http://127.0.0.1:${port}/cli-callback`;
  return {
    redirectUri,
    state,
    callbacks,
    result,
    loginUrl: (consoleUrl) =>
      `${consoleUrl}/cli-login?${new URLSearchParams({ redirect_uri: redirectUri, state })}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * `unsigned` with the five signature fields the SDK adds (python-sdk.md §3): RSA-PSS SHA-256 with
 * the maximal salt over Python's `json.dumps(sort_keys, compact)` of the manifest alone.
 */
export function sdkSignedManifest<M extends Record<string, unknown>>(
  unsigned: M,
  key: { privateKey: KeyObject; publicKey: KeyObject },
): M & { readonly signature: string; readonly signatureAlgorithm: string } {
  const bytes = legacyManifestBytes(
    parseJsonLossless(JSON.stringify(unsigned)) as LosslessJsonObject,
  );
  const signature = sign('sha256', bytes, {
    key: key.privateKey,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN,
  });
  const spki = key.publicKey.export({ format: 'der', type: 'spki' });
  return {
    ...unsigned,
    signature: signature.toString('base64'),
    publicKey: spki.toString('base64'),
    keyFingerprint: createHash('sha256').update(spki).digest('base64'),
    signatureAlgorithm: 'RSA-PSS',
    hashAlgorithm: 'SHA-256',
  };
}
