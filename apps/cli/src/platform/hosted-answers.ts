// The platform's answers turned into what the CLI uses, one pure reader per answer kind. The
// emulator answers in the contract's own forms, which pass unchanged; the hosted platform answers
// in its documented ones (python-sdk.md §4.2, §4.3, §5.1, §5.5): `{success, data}` envelopes,
// snake_case tokens, `{items}` or `{modules}` listings, summaries with few fields, an `image`
// string with a `digest` beside it, `{message, code}`, `{error}` or `{detail}` errors.
//
// Fields a command needs are required: their absence is a problem that names them. Fields that are
// only displayed may be absent. Each field present is checked by the contract's own schema for it
// (its `.shape`): contract objects with refinements cannot be re-derived with `.partial()`, and
// fields the contract gains are read the same way without a change here. The schemas are those
// of the routes' own responses, so what each reader returns is typed by the route it reads.
import {
  type Environment,
  type Image,
  type PublishRequest,
  type PublishState,
  type PublishStatusValue,
  publishStatusValueSchema,
  type ResponseBody,
  routes,
} from '@hla-compass/platform-api';
import { parseImageReference } from '@hla-compass/registry-client';

/** A reader's verdict; `problem` completes "the platform's answer to GET /v1/… ". */
export type Answer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** What the readers need of a schema: a zod schema of the contract, or one of the few below. */
export interface Schema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: readonly Issue[] } };
}

/** What a schema reads a value into. */
type Read<S> = S extends Schema<infer T> ? T : never;
type Shape = Readonly<Record<string, Schema<unknown>>>;
type Fields<S extends Shape> = { [K in keyof S]: Read<S[K]> };
/** The fields of a shape: the `needed` ones always there, the others when the answer had them. */
export type View<S extends Shape, N extends keyof S> = Pick<Fields<S>, N> &
  Partial<Omit<Fields<S>, N>>;

const ok = <T>(value: T): Answer<T> => ({ ok: true, value });
const failure = (message: string, path: readonly PropertyKey[] = []) => ({
  success: false as const,
  error: { issues: [{ path, message }] },
});
/** The issues of a part, as issues of the whole it is `at` in. */
const within = (at: PropertyKey, issues: readonly Issue[]) => ({
  success: false as const,
  error: { issues: issues.map((issue) => ({ ...issue, path: [at, ...issue.path] })) },
});

/** A JSON object as a record; anything else is undefined. */
function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The first of `keys` the record has a value for (null counts as none). */
function first(record: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) {
    const value = record[key];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

/** Any string: for the hosted platform's free-text fields (status, phase, times, messages). */
const text: Schema<string> = {
  safeParse: (value) =>
    typeof value === 'string' ? { success: true, data: value } : failure('expected a string'),
};
const nullableText: Schema<string | null> = {
  safeParse: (value) => (value === null ? { success: true, data: null } : text.safeParse(value)),
};

/**
 * An object read field by field with the schemas of `shape`. Unknown fields are left out; a null
 * the field's schema does not take reads as absent, unless the field is needed.
 */
function fields<S extends Shape, N extends keyof S & string>(
  shape: S,
  needed: readonly N[],
): Schema<View<S, N>> {
  return {
    safeParse(value) {
      const record = asRecord(value);
      if (record === undefined) return failure('expected an object');
      const result: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        const raw = record[key];
        const isNeeded = (needed as readonly string[]).includes(key);
        if (raw === undefined) {
          if (isNeeded) return failure('missing', [key]);
          continue;
        }
        const parsed = schema.safeParse(raw);
        if (parsed.success) {
          result[key] = parsed.data;
        } else if (raw !== null || isNeeded) {
          return within(key, parsed.error.issues);
        }
      }
      // Every needed key was checked above and every other one is optional.
      return { success: true, data: result as View<S, N> };
    },
  };
}

function listOf<T>(item: Schema<T>): Schema<T[]> {
  return {
    safeParse(value) {
      if (!Array.isArray(value)) return failure('expected a list');
      const items: T[] = [];
      for (const [index, element] of value.entries()) {
        const parsed = item.safeParse(element);
        if (!parsed.success) return within(index, parsed.error.issues);
        items.push(parsed.data);
      }
      return { success: true, data: items };
    },
  };
}

/** `items[0].id` */
function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join('');
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** The schema's verdict as an Answer: the first issue, as a missing or an unexpected field. */
function check<T>(
  schema: Schema<T>,
  value: unknown,
  names: Record<string, string> = {},
): Answer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const path = issue?.path ?? [];
  if (path.length === 0) {
    return { ok: false, problem: `is not what the API contract describes (${issue?.message})` };
  }
  const field = fieldName(path);
  if (valueAt(value, path) == null) {
    return { ok: false, problem: `has no ${names[field] ?? field}` };
  }
  return { ok: false, problem: `has an unexpected ${field} (${issue?.message})` };
}

/**
 * `{success: true, data}` is the hosted platform's envelope: its `data` (the whole body when it
 * has none), as the SDK reads it (python-sdk.md §5.5). `{success: false}` is a failure even when
 * it comes with a 2xx. Anything else is the answer itself.
 */
function unwrapEnvelope(value: unknown): Answer<unknown> {
  const record = asRecord(value);
  if (record === undefined || !('success' in record)) return ok(value);
  if (!record.success) {
    const message = errorFields(record)?.message;
    return { ok: false, problem: `reports a failure${message ? `: ${message}` : ''}` };
  }
  return ok(record.data ?? record);
}

/** Unwraps, checks that the answer is an object, and hands it to `read`. */
function fromObject<T>(
  value: unknown,
  read: (record: Record<string, unknown>) => Answer<T>,
): Answer<T> {
  const unwrapped = unwrapEnvelope(value);
  if (!unwrapped.ok) return unwrapped;
  const record = asRecord(unwrapped.value);
  return record === undefined ? { ok: false, problem: 'is not a JSON object' } : read(record);
}

/** The reader of an answer the contract describes and the hosted platform has no other form of (keys). */
export function readContract<T>(schema: Schema<T>): (value: unknown) => Answer<T> {
  return (value) => {
    const unwrapped = unwrapEnvelope(value);
    return unwrapped.ok ? check(schema, unwrapped.value) : unwrapped;
  };
}

// Tokens: POST /v1/auth/login, /v1/auth/token, /v1/auth/refresh, and the browser payload.

type Tokens = ResponseBody<typeof routes.login>;

/**
 * A session as the CLI keeps it: the contract's tokens, of which the refresh token may be
 * missing (the hosted platform may not issue one; without it a session cannot be renewed).
 */
export type SessionTokens = Readonly<
  Pick<Tokens, 'accessToken' | 'expiresIn'> & Partial<Pick<Tokens, 'refreshToken'>>
>;

/** The SDK's default when an answer does not say (python-sdk.md §4.4). */
const DEFAULT_EXPIRES_IN_SECONDS = 3600;

/**
 * camelCase (the contract) or snake_case (the hosted platform, the SDK), enveloped or not, or
 * `{data: {…}}` as the browser payload may be. A missing `expires_in` is 3600 s; a missing or
 * empty refresh token is none; `token_type` is not needed.
 */
export function readTokens(value: unknown): Answer<SessionTokens> {
  return fromObject(value, (outer) => {
    const record =
      first(outer, 'accessToken', 'access_token') === undefined
        ? (asRecord(outer.data) ?? outer)
        : outer;
    const accessToken = first(record, 'accessToken', 'access_token');
    if (accessToken === undefined || accessToken === '') {
      return { ok: false, problem: 'has no access token (accessToken or access_token)' };
    }
    if (typeof accessToken !== 'string') {
      return { ok: false, problem: 'has an access token that is not a string' };
    }
    const refreshToken = first(record, 'refreshToken', 'refresh_token');
    if (refreshToken !== undefined && typeof refreshToken !== 'string') {
      return { ok: false, problem: 'has a refresh token that is not a string' };
    }
    const rawExpiresIn = first(record, 'expiresIn', 'expires_in');
    const expiresIn =
      rawExpiresIn === undefined
        ? DEFAULT_EXPIRES_IN_SECONDS
        : typeof rawExpiresIn === 'string' && /^\d+$/.test(rawExpiresIn.trim())
          ? Number(rawExpiresIn)
          : rawExpiresIn;
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      return { ok: false, problem: 'has an expiry (expires_in) that is not a positive number' };
    }
    return ok({
      accessToken,
      ...(refreshToken ? { refreshToken } : {}),
      expiresIn: Math.ceil(expiresIn),
    });
  });
}

/**
 * The hosted console's browser callback: `payload` is standard base64 of the token JSON
 * (python-sdk.md §4.2), already percent-decoded by the URL parser.
 */
export function readBrowserPayload(payload: string): Answer<SessionTokens> {
  // A `+` the console did not percent-encode arrives as a space; base64 has no spaces otherwise.
  const encoded = payload.trim().replaceAll(' ', '+');
  if (encoded === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
    return { ok: false, problem: 'is not base64' };
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    return { ok: false, problem: 'is not base64-encoded JSON' };
  }
  return readTokens(decoded);
}

// GET /v1/auth/me: the hosted form is not documented, so every field is display-only.

const me = routes.me.responses[200].shape;
const meFields = fields(
  {
    user: fields(me.user.shape, []),
    org: fields(me.org.shape, []),
    roles: me.roles,
    superuser: me.superuser,
  },
  [],
);
export type MeView = Read<typeof meFields>;

/** Who the credentials belong to, as far as the answer says. */
export function readMe(value: unknown): Answer<MeView> {
  return fromObject(value, (record) => check(meFields, record));
}

// GET /v1/modules/publish/config

const publishConfig = routes.publishConfig.responses[200].shape;

/**
 * What the CLI reads of an environment's publish config. The SDK reads only `registry`, and a
 * hosted answer may carry nothing else: an allowlist or signature policy it does not state is
 * unknown (undefined), and publish then leaves those checks to the platform.
 */
export type PublishConfigView = View<
  typeof publishConfig,
  'environment' | 'registry' | 'publicScopeRequiresApproval'
>;

/**
 * `registry` is needed; the environment is the one asked, and `publicScopeRequiresApproval` is
 * true where the answer does not say (SPEC §3: it is true in every environment).
 */
export function readPublishConfig(
  value: unknown,
  environment: Environment,
): Answer<PublishConfigView> {
  return fromObject(value, (record) =>
    check(fields(publishConfig, ['environment', 'registry', 'publicScopeRequiresApproval']), {
      ...record,
      environment: record.environment ?? environment,
      publicScopeRequiresApproval: record.publicScopeRequiresApproval ?? true,
    }),
  );
}

// POST /v1/modules/publish and GET /v1/modules/publish/{publishId}

/** What the CLI sent, so that an answer can be completed with what it does not repeat. */
export interface PublishSent {
  readonly request: PublishRequest;
  readonly environment: Environment;
}

const STATUS_OF_STATE: Readonly<Record<PublishState, PublishStatusValue>> = {
  SUBMITTED: 'pending',
  APPROVED: 'completed',
  REJECTED: 'failed',
};

/**
 * An intake job's `status` as the SDK reads it (python-sdk.md §5.3): completed, failed and
 * cancelled end the job; anything else is still going, which for us is waiting (SUBMITTED).
 */
export function stateOfStatus(status: unknown): PublishState | undefined {
  if (typeof status !== 'string' || status.trim() === '') return undefined;
  switch (status.trim().toLowerCase()) {
    case 'completed':
      return 'APPROVED';
    case 'failed':
    case 'cancelled':
    case 'canceled':
      return 'REJECTED';
    default:
      return 'SUBMITTED';
  }
}

/**
 * The image as the contract has it, `{repository, digest}`: the answer's object, else its `image`
 * string with the `digest` beside it, else the digest-pinned reference the CLI sent.
 */
function imageOfAnswer(record: Record<string, unknown>, sentImageRef?: string): Image | undefined {
  const image = record.image;
  const object = asRecord(image);
  const parsed = (reference: unknown) => {
    if (typeof reference !== 'string') return undefined;
    try {
      return parseImageReference(reference);
    } catch {
      return undefined;
    }
  };
  const named = parsed(image);
  const sent = parsed(sentImageRef);
  const repository = first(object ?? {}, 'repository') ?? named?.repository ?? sent?.repository;
  const digest =
    first(object ?? {}, 'digest') ?? first(record, 'digest') ?? named?.digest ?? sent?.digest;
  return typeof repository === 'string' && typeof digest === 'string'
    ? { repository, digest }
    : undefined;
}

/**
 * `repository@digest` of the contract's image. Joined as given rather than parsed into an
 * ImageReference: the hosted platform's repository is its own text, and an answer is not refused
 * for its spelling.
 */
function pinnedImageRef(image: Image | undefined): string | undefined {
  return image === undefined ? undefined : `${image.repository}@${image.digest}`;
}

/**
 * The 202 of a publish. The hosted platform answers `{moduleId, versionId, status, image,
 * digest}` and, as the SDK reads it, `publishId` and `state`; the rest is what was sent.
 */
export function readPublishAccepted(
  value: unknown,
  sent: PublishSent,
): Answer<ResponseBody<typeof routes.publish>> {
  return fromObject(value, (record) => {
    const manifest = sent.request.manifest;
    const image = imageOfAnswer(record, sent.request.imageRef);
    const state = record.state ?? stateOfStatus(record.status);
    const status = publishStatusValueSchema.safeParse(record.status).success
      ? record.status
      : typeof state === 'string' && state in STATUS_OF_STATE
        ? STATUS_OF_STATE[state as PublishState]
        : record.status;
    return check(routes.publish.responses[202], {
      ...record,
      moduleName: record.moduleName ?? manifest.name,
      version: record.version ?? manifest.version,
      environment: record.environment ?? sent.environment,
      scope: record.scope ?? sent.request.scope ?? 'org',
      state,
      status,
      image,
      imageRef: record.imageRef ?? pinnedImageRef(image),
    });
  });
}

const publishProgressFields = fields(
  {
    ...routes.publishStatus.responses[200].shape,
    // Free text on the hosted platform; the emulator's values are among them.
    status: text,
    currentPhase: text,
    startTime: text,
    endTime: nullableText,
    failureReason: nullableText,
    buildStatus: text,
    message: text,
    logsUrl: text,
  },
  ['publishId', 'environment', 'state'],
);
/** A publish job as `publish-status` shows it; `state` is derived from `status` when absent. */
export type PublishProgress = Read<typeof publishProgressFields>;

export function readPublishStatus(
  value: unknown,
  asked: { readonly publishId: string; readonly environment: Environment },
): Answer<PublishProgress> {
  return fromObject(value, (record) => {
    const image = imageOfAnswer(record);
    return check(
      publishProgressFields,
      {
        ...record,
        publishId: record.publishId ?? asked.publishId,
        environment: record.environment ?? asked.environment,
        state: record.state ?? stateOfStatus(record.status),
        image,
        imageRef: record.imageRef ?? pinnedImageRef(image),
      },
      { state: 'state (nor a status)' },
    );
  });
}

// GET /v1/modules, /v1/modules/{moduleId}, /v1/modules/{moduleId}/versions

const moduleList = routes.listModules.responses[200].shape;
const moduleSummaryFields = fields(moduleList.items.element.shape, ['id', 'moduleName']);
export type ModuleSummaryView = Read<typeof moduleSummaryFields>;
const moduleVersionList = routes.listModuleVersions.responses[200].shape;
const moduleVersionFields = fields(moduleVersionList.items.element.shape, []);
export type ModuleVersionView = Read<typeof moduleVersionFields>;

const moduleListFields = fields({ ...moduleList, items: listOf(moduleSummaryFields) }, ['items']);
/** A page of modules; `total` is absent when the platform does not page (then it is all). */
export type ModuleListView = Read<typeof moduleListFields>;

/** `{items, total, limit, offset}`, or the hosted `{items}` or `{modules}`. */
export function readModuleList(value: unknown): Answer<ModuleListView> {
  return fromObject(value, (record) =>
    check(
      moduleListFields,
      { ...record, items: record.items ?? record.modules },
      { items: 'items (nor modules)' },
    ),
  );
}

const moduleDetailFields = fields(
  { ...routes.getModule.responses[200].shape, versions: listOf(moduleVersionFields) },
  ['id'],
);
export type ModuleDetailView = Read<typeof moduleDetailFields>;

export function readModuleDetail(value: unknown, moduleId: string): Answer<ModuleDetailView> {
  return fromObject(value, (record) =>
    check(moduleDetailFields, { ...record, id: record.id ?? moduleId }),
  );
}

const moduleVersionListFields = fields(
  { ...moduleVersionList, items: listOf(moduleVersionFields) },
  ['items'],
);
export type ModuleVersionListView = Read<typeof moduleVersionListFields>;

export function readModuleVersionList(value: unknown): Answer<ModuleVersionListView> {
  return fromObject(value, (record) =>
    check(
      moduleVersionListFields,
      { ...record, items: record.items ?? record.versions },
      { items: 'items (nor versions)' },
    ),
  );
}

// Errors

/** An error answer in any of its forms, reduced to what the CLI reports. */
export interface ErrorAnswer {
  readonly code?: string;
  readonly message?: string;
  readonly requestId?: string;
  readonly details?: Record<string, unknown>;
}

/** The SDK keeps at most this many characters of a platform message (python-sdk.md §5.5). */
const MAX_ERROR_MESSAGE_LENGTH = 500;

/**
 * `{code, message, requestId, details?}` (the contract), `{message, code}`, `{error: {message,
 * code}}`, `{error: "…"}` or `{detail}` (a string, or FastAPI's list of `{loc, msg}`); the
 * message is the SDK's first of error.message, message, detail. Undefined when the body is none
 * of these.
 */
export function readErrorBody(text: string): ErrorAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const record = asRecord(value);
  return record === undefined ? undefined : errorFields(record);
}

function errorFields(record: Record<string, unknown>): ErrorAnswer | undefined {
  const nested = asRecord(record.error) ?? {};
  const message =
    first(nested, 'message') ??
    (typeof record.error === 'string' ? record.error : undefined) ??
    first(record, 'message') ??
    describeDetail(record.detail);
  const code = first(nested, 'code') ?? first(record, 'code');
  const requestId =
    first(record, 'requestId', 'request_id') ?? first(nested, 'requestId', 'request_id');
  const details =
    asRecord(record.details) ??
    asRecord(nested.details) ??
    (Array.isArray(record.detail) ? { detail: record.detail } : undefined);
  const result: ErrorAnswer = {
    ...(typeof code === 'string' && code !== '' ? { code } : {}),
    ...(typeof message === 'string' && message !== '' ? { message: truncate(message) } : {}),
    ...(typeof requestId === 'string' && requestId !== '' ? { requestId } : {}),
    ...(details === undefined ? {} : { details }),
  };
  return result.code === undefined && result.message === undefined ? undefined : result;
}

function describeDetail(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (!Array.isArray(detail)) return undefined;
  const parts = detail.map((entry) => {
    const item = asRecord(entry);
    if (item === undefined) return String(entry);
    const at = Array.isArray(item.loc) ? item.loc.join('.') : undefined;
    const message = typeof item.msg === 'string' ? item.msg : JSON.stringify(entry);
    return at ? `${at}: ${message}` : message;
  });
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function truncate(message: string): string {
  return message.length > MAX_ERROR_MESSAGE_LENGTH
    ? `${message.slice(0, MAX_ERROR_MESSAGE_LENGTH)}...`
    : message;
}
