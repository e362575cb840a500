// The Distribution API client: resolve a manifest's digest (read side) and upload blobs and
// manifests (write side), over the authenticated, retrying transport.
import { AuthenticatedTransport, type AuthOptions } from './auth.js';
import { computeDigest, digestProblem, isDigest } from './digest.js';
import { RegistryError, type UnauthorizedReason } from './errors.js';
import { buildImage, type ImageContent } from './image.js';
import { parseJsonObject } from './json.js';
import { MANIFEST_MEDIA_TYPES, mediaTypeOf } from './media-types.js';
import { type ImageReference, imageReference, parseImageReference } from './reference.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import {
  discardBody,
  type FetchLike,
  HttpTransport,
  type RegistryEndpoint,
  type RegistryExchange,
  type RegistryRetryEvent,
  readBody,
  registryEndpoint,
} from './transport.js';

export interface RegistryClientOptions extends AuthOptions {
  /** Defaults to the global fetch. */
  readonly fetch?: FetchLike;
  /** Registries (`host[:port]`) reached over plain HTTP besides loopback ones. */
  readonly insecureRegistries?: readonly string[];
  /** Per attempt, headers and body included. Default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  /** Default 4 MiB, the limit distribution itself puts on manifests. */
  readonly maxManifestBytes?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly userAgent?: string;
  /** Told before each retry (which host, why, how long until the next attempt). */
  readonly onRetry?: (event: RegistryRetryEvent) => void;
  /** Told after each HTTP attempt (method, URL, status or failure, time), for a request log. */
  readonly onExchange?: (event: RegistryExchange) => void;
}

export type ManifestResolution =
  | {
      readonly status: 'found';
      readonly digest: string;
      readonly mediaType: string;
      readonly size: number;
    }
  | { readonly status: 'not_found'; readonly message: string }
  | {
      readonly status: 'unauthorized';
      readonly message: string;
      readonly reason: UnauthorizedReason;
    }
  | { readonly status: 'forbidden'; readonly message: string }
  | { readonly status: 'unavailable'; readonly message: string };

export type FoundManifest = Extract<ManifestResolution, { status: 'found' }>;

/** A manifest fetched with GET: the resolution plus the verified bytes when found. */
export type ManifestFetch =
  | (FoundManifest & { readonly body: Uint8Array })
  | Exclude<ManifestResolution, { status: 'found' }>;

/** A blob fetched with GET: its bytes, verified against the digest asked for. */
export type BlobFetch =
  | { readonly status: 'found'; readonly digest: string; readonly body: Uint8Array }
  | Exclude<ManifestResolution, { status: 'found' }>;

export interface UploadedBlob {
  readonly digest: string;
  readonly size: number;
  /** True when the registry already had it and nothing was sent. */
  readonly existed: boolean;
}

export interface PushedManifest {
  readonly reference: ImageReference;
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Image configs are a few KiB; this bounds what a blob read takes by default. */
const DEFAULT_MAX_BLOB_BYTES = 4 * 1024 * 1024;
/** Registries on object storage answer a blob GET with a redirect, rarely more than one. */
const MAX_BLOB_REDIRECTS = 3;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const USER_AGENT = 'hla-compass-registry-client/0.1';

function asReference(reference: string | ImageReference): ImageReference {
  return typeof reference === 'string' ? parseImageReference(reference) : reference;
}

/** What a manifest request names: the digest when there is one, else the tag, else `latest`. */
function manifestTarget(reference: ImageReference): string {
  return reference.digest ?? reference.tag ?? 'latest';
}

function pullScope(reference: ImageReference): string[] {
  return [`repository:${reference.path}:pull`];
}

function pushScope(reference: ImageReference): string[] {
  return [`repository:${reference.path}:pull,push`];
}

/** The error code a registry put in its JSON error body, if it is a plain code (never free text). */
async function registryErrorCode(response: Response): Promise<string | undefined> {
  try {
    const body = await readBody(response, MAX_ERROR_BODY_BYTES, 'the error body');
    const errors = parseJsonObject(Buffer.from(body).toString('utf8'))?.errors;
    const code = Array.isArray(errors)
      ? (errors[0] as { code?: unknown } | undefined)?.code
      : undefined;
    return typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export class RegistryClient {
  private readonly transport: AuthenticatedTransport;
  private readonly http: HttpTransport;
  private readonly insecureRegistries: readonly string[];
  private readonly maxManifestBytes: number;

  constructor(options: RegistryClientOptions = {}) {
    const http = new HttpTransport({
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      userAgent: options.userAgent ?? USER_AGENT,
      onRetry: options.onRetry,
      onExchange: options.onExchange,
    });
    this.http = http;
    this.transport = new AuthenticatedTransport(http, options);
    this.insecureRegistries = options.insecureRegistries ?? [];
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MAX_MANIFEST_BYTES;
  }

  /** The endpoint (scheme and API host) the client uses for a registry. */
  endpoint(registry: string): RegistryEndpoint {
    return registryEndpoint(registry, this.insecureRegistries);
  }

  /**
   * The digest, media type and size of a manifest. HEAD first; GET (and a digest computed
   * from the body) when HEAD is not enough. Throws RegistryError `digest_mismatch` when the
   * body does not hash to the digest asked for or announced, and InvalidReferenceError for a
   * malformed reference string.
   */
  async resolveManifest(reference: string | ImageReference): Promise<ManifestResolution> {
    const ref = asReference(reference);
    return this.outcome(ref, async (endpoint) => {
      const head = await this.manifestRequest(endpoint, ref, 'HEAD');
      if (head.status !== 200 && head.status !== 405) {
        throw await this.statusError(
          endpoint,
          head,
          `manifest ${manifestTarget(ref)} of ${ref.repository}`,
        );
      }
      await discardBody(head);
      const fromHeaders = head.status === 200 ? this.foundFromHeaders(head, ref) : undefined;
      if (fromHeaders !== undefined) return fromHeaders;
      const { status, digest, mediaType, size } = await this.fetchVerifiedManifest(endpoint, ref);
      return { status, digest, mediaType, size };
    });
  }

  /** Like resolveManifest, always with GET, and with the verified manifest bytes. */
  async getManifest(reference: string | ImageReference): Promise<ManifestFetch> {
    const ref = asReference(reference);
    return this.outcome(ref, (endpoint) => this.fetchVerifiedManifest(endpoint, ref));
  }

  /**
   * A blob's bytes (an image config, say), read under `maxBytes` and verified against `digest`.
   * A redirect (object storage) is followed without the registry's credentials: the bytes are
   * trusted for their hash, not for where they came from.
   */
  async getBlob(
    repository: string | ImageReference,
    digest: string,
    options: { maxBytes?: number } = {},
  ): Promise<BlobFetch> {
    const ref = asReference(repository);
    const problem = digestProblem(digest);
    if (problem !== undefined) throw new TypeError(`invalid blob digest: ${problem}`);
    const what = `blob ${digest} of ${ref.repository}`;
    return this.outcome(ref, async (endpoint) => {
      let response = await this.transport.send(endpoint, {
        method: 'GET',
        url: new URL(`/v2/${ref.path}/blobs/${digest}`, endpoint.origin),
        scopes: pullScope(ref),
      });
      for (let hops = 0; response.status >= 300 && response.status < 400; hops++) {
        const target = this.blobRedirect(endpoint, response, hops);
        await discardBody(response);
        response = await this.http.send({ method: 'GET', url: target, headers: {}, retry: true });
      }
      if (response.status !== 200) throw await this.statusError(endpoint, response, what);
      const body = await readBody(response, options.maxBytes ?? DEFAULT_MAX_BLOB_BYTES, what);
      const computed = computeDigest(body, digest);
      if (computed !== digest) {
        throw new RegistryError(
          'digest_mismatch',
          `registry ${ref.registry} served ${what} whose content has digest ${computed}`,
        );
      }
      return { status: 'found' as const, digest, body };
    });
  }

  /** Where a blob redirect points; only HTTPS, or the registry's own origin, and not forever. */
  private blobRedirect(endpoint: RegistryEndpoint, response: Response, hops: number): URL {
    const location = response.headers.get('location');
    let url: URL | undefined;
    try {
      url = location ? new URL(location, endpoint.origin) : undefined;
    } catch {
      url = undefined;
    }
    if (url === undefined || hops >= MAX_BLOB_REDIRECTS) {
      throw new RegistryError(
        'invalid_response',
        `registry ${endpoint.registry} redirected a blob read ${url === undefined ? 'without a usable Location' : 'too many times'}`,
      );
    }
    if (url.protocol !== 'https:' && url.origin !== new URL(endpoint.origin).origin) {
      throw new RegistryError(
        'refused',
        `registry ${endpoint.registry} redirected a blob read to plain-HTTP ${url.origin}`,
      );
    }
    return url;
  }

  async blobExists(repository: string | ImageReference, digest: string): Promise<boolean> {
    const ref = asReference(repository);
    return this.headBlob(ref, digest, pullScope(ref));
  }

  /** `scopes` lets an upload ask for pull,push from its first request: one token, not two. */
  private async headBlob(ref: ImageReference, digest: string, scopes: string[]): Promise<boolean> {
    const problem = digestProblem(digest);
    if (problem !== undefined) throw new TypeError(`invalid blob digest: ${problem}`);
    const endpoint = this.endpoint(ref.registry);
    const response = await this.transport.send(endpoint, {
      method: 'HEAD',
      url: new URL(`/v2/${ref.path}/blobs/${digest}`, endpoint.origin),
      scopes,
    });
    await discardBody(response);
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    // Registries backed by object storage answer a present blob with a redirect to it.
    if (response.status >= 300 && response.status < 400) return true;
    throw await this.statusError(endpoint, response, `blob ${digest} of ${ref.repository}`);
  }

  /**
   * Uploads a blob unless the registry has it: POST, then one PUT (monolithic) or PATCHes of
   * `chunkSize` bytes and a closing PUT (chunked), following each `Location` on the same host.
   */
  async uploadBlob(
    repository: string | ImageReference,
    bytes: Uint8Array,
    options: { chunkSize?: number } = {},
  ): Promise<UploadedBlob> {
    const ref = asReference(repository);
    const chunkSize = options.chunkSize ?? bytes.byteLength;
    if (options.chunkSize !== undefined && !(Number.isSafeInteger(chunkSize) && chunkSize > 0)) {
      throw new RangeError(`chunkSize must be a positive integer, not ${options.chunkSize}`);
    }
    const digest = computeDigest(bytes);
    if (await this.headBlob(ref, digest, pushScope(ref))) {
      return { digest, size: bytes.byteLength, existed: true };
    }
    const endpoint = this.endpoint(ref.registry);
    const what = `blob ${digest} of ${ref.repository}`;
    const send = async (
      method: string,
      url: URL,
      expected: number,
      body?: Uint8Array,
      headers = {},
    ) => {
      const response = await this.transport.send(endpoint, {
        method,
        url,
        scopes: pushScope(ref),
        headers,
        ...(body === undefined ? {} : { body }),
        // A failed PATCH may have been applied in part; repeating it could corrupt the upload.
        retry: method !== 'PATCH',
      });
      if (response.status !== expected) throw await this.statusError(endpoint, response, what);
      await discardBody(response);
      return response;
    };
    const start = new URL(`/v2/${ref.path}/blobs/uploads/`, endpoint.origin);
    let location = this.uploadLocation(endpoint, start, await send('POST', start, 202));
    let finalBody: Uint8Array = bytes;
    if (chunkSize < bytes.byteLength) {
      for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) {
        const chunk = bytes.subarray(offset, Math.min(offset + chunkSize, bytes.byteLength));
        const response = await send('PATCH', location, 202, chunk, {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.byteLength - 1}`,
        });
        location = this.uploadLocation(endpoint, location, response);
      }
      finalBody = new Uint8Array();
    }
    const commit = new URL(location);
    commit.searchParams.set('digest', digest);
    const committed = await send('PUT', commit, 201, finalBody, {
      'content-type': 'application/octet-stream',
    });
    this.checkAnnouncedDigest(committed, digest, what);
    return { digest, size: bytes.byteLength, existed: false };
  }

  /** Puts a manifest under the reference's tag (or digest, or `latest`); returns its digest. */
  async putManifest(
    reference: string | ImageReference,
    manifest: Uint8Array | string,
    mediaType: string,
  ): Promise<PushedManifest> {
    const ref = asReference(reference);
    const bytes = typeof manifest === 'string' ? Buffer.from(manifest, 'utf8') : manifest;
    const digest = computeDigest(bytes);
    const endpoint = this.endpoint(ref.registry);
    const what = `manifest ${manifestTarget(ref)} of ${ref.repository}`;
    const response = await this.transport.send(endpoint, {
      method: 'PUT',
      url: new URL(`/v2/${ref.path}/manifests/${manifestTarget(ref)}`, endpoint.origin),
      scopes: pushScope(ref),
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    if (response.status !== 201) throw await this.statusError(endpoint, response, what);
    await discardBody(response);
    this.checkAnnouncedDigest(response, digest, what);
    return {
      reference: imageReference({ registry: ref.registry, path: ref.path, digest }),
      digest,
      mediaType,
      size: bytes.byteLength,
    };
  }

  /** Builds a small image (see buildImage) and pushes its blobs and manifest. */
  async pushImage(
    reference: string | ImageReference,
    content: ImageContent = {},
    options: { chunkSize?: number } = {},
  ): Promise<PushedManifest> {
    const ref = asReference(reference);
    const image = buildImage(content);
    for (const blob of [image.config, ...image.layers])
      await this.uploadBlob(ref, blob.bytes, options);
    return this.putManifest(ref, image.manifest.bytes, image.manifest.mediaType);
  }

  private manifestRequest(endpoint: RegistryEndpoint, ref: ImageReference, method: 'HEAD' | 'GET') {
    return this.transport.send(endpoint, {
      method,
      url: new URL(`/v2/${ref.path}/manifests/${manifestTarget(ref)}`, endpoint.origin),
      scopes: pullScope(ref),
      headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
    });
  }

  /** A found result from HEAD headers alone, or undefined when they are not enough to trust. */
  private foundFromHeaders(response: Response, ref: ImageReference): FoundManifest | undefined {
    const digest = response.headers.get('docker-content-digest');
    const mediaType = mediaTypeOf(response.headers.get('content-type'));
    const size = Number(response.headers.get('content-length') ?? Number.NaN);
    if (digest === null || !isDigest(digest)) return undefined;
    if (ref.digest !== undefined && digest !== ref.digest) return undefined;
    if (mediaType === undefined || !MANIFEST_MEDIA_TYPES.includes(mediaType)) return undefined;
    if (!Number.isSafeInteger(size) || size <= 0 || size > this.maxManifestBytes) return undefined;
    return { status: 'found', digest, mediaType, size };
  }

  private async fetchVerifiedManifest(
    endpoint: RegistryEndpoint,
    ref: ImageReference,
  ): Promise<FoundManifest & { body: Uint8Array }> {
    const what = `manifest ${manifestTarget(ref)} of ${ref.repository}`;
    const response = await this.manifestRequest(endpoint, ref, 'GET');
    if (response.status !== 200) throw await this.statusError(endpoint, response, what);
    const body = await readBody(response, this.maxManifestBytes, `the ${what}`);
    if (ref.digest !== undefined) {
      const computed = computeDigest(body, ref.digest);
      if (computed !== ref.digest) {
        throw new RegistryError(
          'digest_mismatch',
          `registry ${ref.registry} served ${what} whose content has digest ${computed}`,
        );
      }
    }
    const announced = this.checkAnnouncedDigest(response, undefined, what, body);
    const mediaType =
      mediaTypeOf(response.headers.get('content-type')) ??
      mediaTypeOf(String(parseJsonObject(Buffer.from(body).toString('utf8'))?.mediaType ?? ''));
    if (mediaType === undefined || !MANIFEST_MEDIA_TYPES.includes(mediaType)) {
      throw new RegistryError(
        'invalid_response',
        `registry ${ref.registry} served ${what} as "${mediaType ?? 'no media type'}", which is not an image manifest or index this client reads`,
      );
    }
    const digest = ref.digest ?? announced ?? computeDigest(body);
    return { status: 'found', digest, mediaType, size: body.byteLength, body };
  }

  /**
   * Checks a Docker-Content-Digest header against the digest of `body` (or `expected`): the
   * header is a claim, the bytes are the truth. Returns the header when it holds.
   */
  private checkAnnouncedDigest(
    response: Response,
    expected: string | undefined,
    what: string,
    body?: Uint8Array,
  ): string | undefined {
    const announced = response.headers.get('docker-content-digest');
    if (announced === null) return undefined;
    if (!isDigest(announced)) {
      throw new RegistryError(
        'invalid_response',
        `the Docker-Content-Digest header for ${what} is not a digest`,
      );
    }
    const actual = body === undefined ? expected : computeDigest(body, announced);
    if (actual !== undefined && actual !== announced) {
      throw new RegistryError(
        'digest_mismatch',
        `the registry announced ${announced} for ${what}, but its content has digest ${actual}`,
      );
    }
    return announced;
  }

  /** The next upload URL from a Location header, refused unless it is on the registry's origin. */
  private uploadLocation(endpoint: RegistryEndpoint, base: URL, response: Response): URL {
    const location = response.headers.get('location');
    if (location === null || location === '') {
      throw new RegistryError(
        'invalid_response',
        `registry ${endpoint.registry} gave no upload Location`,
      );
    }
    let url: URL;
    try {
      url = new URL(location, base);
    } catch {
      throw new RegistryError(
        'invalid_response',
        `registry ${endpoint.registry} gave an upload Location that is not a URL`,
      );
    }
    if (url.origin !== new URL(endpoint.origin).origin) {
      throw new RegistryError(
        'refused',
        `registry ${endpoint.registry} sent the upload to ${url.origin}; only ${endpoint.origin} is trusted with it`,
      );
    }
    return url;
  }

  private async statusError(
    endpoint: RegistryEndpoint,
    response: Response,
    what: string,
  ): Promise<RegistryError> {
    const code = await registryErrorCode(response);
    const detail = code === undefined ? '' : ` (${code})`;
    switch (response.status) {
      case 401: {
        const credentials = await this.transport.credentialsFor(endpoint.registry);
        return credentials === undefined
          ? new RegistryError(
              'unauthorized',
              `registry ${endpoint.registry} requires credentials for ${what} and none were given${detail}`,
              'no_credentials',
            )
          : new RegistryError(
              'unauthorized',
              `registry ${endpoint.registry} rejected the credentials for ${what}${detail}`,
              'credentials_rejected',
            );
      }
      case 403:
        return new RegistryError(
          'forbidden',
          `registry ${endpoint.registry} refused access to ${what}${detail}`,
        );
      case 404:
        return new RegistryError('not_found', `${what} was not found${detail}`);
      default:
        return new RegistryError(
          'unavailable',
          `registry ${endpoint.registry} answered ${response.status} for ${what}${detail}`,
        );
    }
  }

  /** Runs a read and turns the expected failures into results; protocol violations stay errors. */
  private async outcome<Result>(
    ref: ImageReference,
    run: (endpoint: RegistryEndpoint) => Promise<Result>,
  ): Promise<Result | Exclude<ManifestResolution, { status: 'found' }>> {
    try {
      return await run(this.endpoint(ref.registry));
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      switch (error.code) {
        case 'unauthorized':
          return {
            status: 'unauthorized',
            message: error.message,
            reason: error.reason ?? 'no_credentials',
          };
        case 'forbidden':
        case 'not_found':
        case 'unavailable':
          return { status: error.code, message: error.message };
        default:
          throw error;
      }
    }
  }
}
