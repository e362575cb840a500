// The hosted platform's documented answer forms (python-sdk.md §4.2, §4.3, §5.1, §5.5): first the
// readers and the error translation as pure functions, then the built CLI against a loopback
// server that answers exactly in those forms, the browser `payload` callback included.

import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  moduleListSchema,
  publishAcceptedSchema,
  publishStatusSchema,
} from '@hla-compass/platform-api';
import { RegistryClient } from '@hla-compass/registry-client';
import { type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ExitCode } from '../src/errors.js';
import { platformError } from '../src/platform/errors.js';
import {
  readBrowserPayload,
  readErrorBody,
  readMe,
  readModuleDetail,
  readModuleList,
  readPublishAccepted,
  readPublishConfig,
  readPublishStatus,
  readTokens,
  stateOfStatus,
} from '../src/platform/hosted-answers.js';
import {
  CLI_PATH,
  type CliResult,
  capturedOutput,
  createSandbox,
  type Sandbox,
} from './cli-process.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('token answers', () => {
  it('reads the contract form (camelCase, with the snake_case copies the emulator adds)', () => {
    expect(
      readTokens({
        accessToken: 'at-1',
        refreshToken: 'rt-1',
        expiresIn: 900,
        tokenType: 'Bearer',
        access_token: 'at-1',
        refresh_token: 'rt-1',
        expires_in: 900,
        token_type: 'Bearer',
      }),
    ).toEqual({ ok: true, value: { accessToken: 'at-1', refreshToken: 'rt-1', expiresIn: 900 } });
  });

  it('reads snake_case in a {success, data} envelope, without token_type', () => {
    expect(
      readTokens({
        success: true,
        data: { access_token: 'at-2', refresh_token: 'rt-2', expires_in: 1800 },
      }),
    ).toEqual({ ok: true, value: { accessToken: 'at-2', refreshToken: 'rt-2', expiresIn: 1800 } });
  });

  it('takes 3600 s when expires_in is missing, and no refresh token when there is none', () => {
    expect(readTokens({ access_token: 'at-3' })).toEqual({
      ok: true,
      value: { accessToken: 'at-3', expiresIn: 3600 },
    });
    expect(readTokens({ access_token: 'at-3', refresh_token: null, expires_in: '60' })).toEqual({
      ok: true,
      value: { accessToken: 'at-3', expiresIn: 60 },
    });
  });

  it('reads {data: {…}} as the browser payload may carry it', () => {
    expect(readTokens({ data: { access_token: 'at-4', expires_in: 10 } })).toEqual({
      ok: true,
      value: { accessToken: 'at-4', expiresIn: 10 },
    });
  });

  it('names what is missing or wrong', () => {
    expect(readTokens({ refresh_token: 'rt' })).toEqual({
      ok: false,
      problem: 'has no access token (accessToken or access_token)',
    });
    expect(readTokens({ access_token: 'at', expires_in: -5 })).toMatchObject({
      ok: false,
      problem: expect.stringContaining('expires_in'),
    });
    expect(readTokens({ success: false, error: { message: 'Login failed' } })).toEqual({
      ok: false,
      problem: 'reports a failure: Login failed',
    });
    expect(readTokens([1, 2])).toEqual({ ok: false, problem: 'is not a JSON object' });
  });
});

describe('the browser payload', () => {
  const tokens = { access_token: 'payload-at', refresh_token: 'payload-rt', expires_in: 1200 };

  it('is standard base64 of the token JSON', () => {
    expect(readBrowserPayload(base64Json(tokens))).toEqual({
      ok: true,
      value: { accessToken: 'payload-at', refreshToken: 'payload-rt', expiresIn: 1200 },
    });
  });

  it('survives a + that arrived as a space (a console that did not percent-encode it)', () => {
    // '>>>' encodes to 'Pj4+', so this payload's base64 has a '+'.
    const encoded = base64Json({ access_token: '>>>', expires_in: 5 });
    expect(encoded).toContain('+');
    expect(readBrowserPayload(encoded.replaceAll('+', ' '))).toEqual({
      ok: true,
      value: { accessToken: '>>>', expiresIn: 5 },
    });
  });

  it('says what is wrong without repeating the payload', () => {
    expect(readBrowserPayload('not base64!')).toEqual({ ok: false, problem: 'is not base64' });
    expect(readBrowserPayload(Buffer.from('secret-ish text').toString('base64'))).toEqual({
      ok: false,
      problem: 'is not base64-encoded JSON',
    });
    const noToken = readBrowserPayload(base64Json({ refresh_token: 'payload-rt' }));
    expect(noToken).toEqual({
      ok: false,
      problem: 'has no access token (accessToken or access_token)',
    });
    expect(JSON.stringify(noToken)).not.toContain('payload-rt');
  });
});

describe('error answers', () => {
  const error = (status: number, body: unknown, requestId = 'req-sent') =>
    platformError(
      { status, text: typeof body === 'string' ? body : JSON.stringify(body), requestId },
      'dev',
    );

  it('keeps the contract form as it was: code, message, request id, details and hint', () => {
    const failure = error(409, {
      code: 'VERSION_EXISTS',
      message: 'scorer@1.0.0 already exists in dev',
      requestId: 'req-body',
    });
    expect(failure).toMatchObject({
      exitCode: ExitCode.rejected,
      code: 'VERSION_EXISTS',
      message: 'scorer@1.0.0 already exists in dev',
      requestId: 'req-body',
      hint: expect.stringContaining('immutable'),
    });
    const registry = error(403, {
      code: 'REGISTRY_UNAUTHORIZED',
      message: 'Registry not in allowlist',
      requestId: 'r',
      details: { repository: 'ghcr.io/evil/x' },
    });
    expect(registry.hint).toContain('ghcr.io/evil/*');
  });

  it('reads {message, code} and takes the request id of the exchange', () => {
    expect(
      error(403, {
        message: 'Module publish requires developer access',
        code: 'DEVELOPER_ROLE_REQUIRED',
      }),
    ).toMatchObject({
      exitCode: ExitCode.rejected,
      code: 'DEVELOPER_ROLE_REQUIRED',
      message: 'Module publish requires developer access',
      requestId: 'req-sent',
      hint: expect.stringContaining('developer role'),
    });
  });

  it('reads {error: {message, code}} and {error: "…"}', () => {
    expect(
      error(422, { error: { message: 'Image not found', code: 'IMAGE_NOT_FOUND' } }),
    ).toMatchObject({
      exitCode: ExitCode.rejected,
      code: 'IMAGE_NOT_FOUND',
      message: 'Image not found',
    });
    expect(error(404, { error: 'No such module' })).toMatchObject({
      exitCode: ExitCode.rejected,
      code: 'HTTP_404',
      message: 'No such module',
    });
  });

  it('IMAGE_NOT_FOUND names the commands for the image in its details, else IMAGE', () => {
    const pinned = `127.0.0.1:5000/your-org/x@${DIGEST}`;
    const named = error(422, {
      code: 'IMAGE_NOT_FOUND',
      message: 'Image not found',
      details: { imageRef: pinned },
    });
    expect(named.hint).toContain('`docker push 127.0.0.1:5000/your-org/x:TAG`');
    expect(named.hint).toContain(`\`docker manifest inspect ${pinned} --insecure\``);
    const hosted = error(422, {
      code: 'IMAGE_NOT_FOUND',
      message: 'Image not found',
      details: { imageRef: 'ghcr.io/your-org/x:1.0.0' },
    });
    expect(hosted.hint).toContain('`docker push ghcr.io/your-org/x:1.0.0`');
    expect(hosted.hint).toContain('`docker manifest inspect ghcr.io/your-org/x:1.0.0`');
    const unnamed = error(422, { code: 'IMAGE_NOT_FOUND', message: 'Image not found' });
    expect(unnamed.hint).toContain('`docker manifest inspect IMAGE`');
  });

  it('reads {detail} as a string and as FastAPI’s list', () => {
    expect(error(401, { detail: 'Not authenticated' })).toMatchObject({
      exitCode: ExitCode.unauthenticated,
      message: 'Not authenticated',
      hint: 'run `hla-compass auth login --env dev`',
    });
    const list = error(422, {
      detail: [
        { loc: ['body', 'imageRef'], msg: 'field required', type: 'value_error.missing' },
        { loc: ['body', 'scope'], msg: 'not a valid choice', type: 'type_error.enum' },
      ],
    });
    expect(list).toMatchObject({
      exitCode: ExitCode.rejected,
      code: 'HTTP_422',
      message: 'body.imageRef: field required; body.scope: not a valid choice',
    });
  });

  it.each([
    [401, ExitCode.unauthenticated],
    [400, ExitCode.invalidInput],
    [413, ExitCode.invalidInput],
    [403, ExitCode.rejected],
    [404, ExitCode.rejected],
    [409, ExitCode.rejected],
    [422, ExitCode.rejected],
    [500, ExitCode.unavailable],
    [502, ExitCode.unavailable],
    [503, ExitCode.unavailable],
  ])('maps an unknown code with HTTP %i to exit %i, keeping code and message', (status, exit) => {
    expect(
      error(status, { message: 'Security scan failed', code: 'SECURITY_SCAN_FAILED' }),
    ).toMatchObject({
      exitCode: exit,
      code: 'SECURITY_SCAN_FAILED',
      message: 'Security scan failed',
    });
  });

  it('truncates a message over 500 characters, as the SDK does', () => {
    const failure = error(400, { message: 'x'.repeat(800) });
    expect(failure.message).toBe(`${'x'.repeat(500)}...`);
    expect(readErrorBody(JSON.stringify({ message: 'short' }))).toEqual({ message: 'short' });
  });

  it('still maps a body that is no error form by its status', () => {
    expect(error(502, '<html>Bad Gateway</html>')).toMatchObject({
      exitCode: ExitCode.unavailable,
      code: 'HTTP_502',
      message: 'the platform answered HTTP 502 without an error body',
    });
    expect(error(400, {})).toMatchObject({ exitCode: ExitCode.invalidInput, code: 'HTTP_400' });
  });
});

describe('listings and modules', () => {
  const emulatorSummary = {
    id: 'mod_1',
    moduleName: 'peptide-scorer',
    orgId: 'your-org',
    orgName: 'Your Org',
    currentVersion: '1.0.0',
    imageRef: `127.0.0.1:5000/your-org/peptide-scorer@${DIGEST}`,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-02T00:00:00.000Z',
  };

  it('reads the emulator’s listing exactly as the contract does', () => {
    const body = { items: [emulatorSummary], total: 1, limit: 100, offset: 0 };
    expect(readModuleList(body)).toEqual({ ok: true, value: moduleListSchema.parse(body) });
  });

  it('reads {items} and {modules} without paging, summaries with the hosted fields only', () => {
    const hosted = {
      id: 'm-1',
      moduleName: 'hla-typer',
      currentVersion: '2.0.0',
      visibility: 'org',
      pricing: { tiers: [] },
    };
    const expected = {
      ok: true,
      value: { items: [{ id: 'm-1', moduleName: 'hla-typer', currentVersion: '2.0.0' }] },
    };
    expect(readModuleList({ items: [hosted] })).toEqual(expected);
    expect(readModuleList({ modules: [hosted] })).toEqual(expected);
    expect(readModuleList({ success: true, data: { modules: [hosted] } })).toEqual(expected);
  });

  it('takes a null display field as absent, and names a missing needed one', () => {
    expect(readModuleList({ items: [{ id: 'm', moduleName: 'n', orgName: null }] })).toEqual({
      ok: true,
      value: { items: [{ id: 'm', moduleName: 'n' }] },
    });
    expect(readModuleList({ items: [{ moduleName: 'n' }] })).toEqual({
      ok: false,
      problem: 'has no items[0].id',
    });
    expect(readModuleList({ results: [] })).toEqual({
      ok: false,
      problem: 'has no items (nor modules)',
    });
    expect(
      readModuleList({ items: [{ id: 'm', moduleName: 'n', currentVersion: 2 }] }),
    ).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/^has an unexpected items\[0\]\.currentVersion \(/),
    });
  });

  it('reads a module with what it has, its id being the one asked for', () => {
    expect(
      readModuleDetail(
        { success: true, data: { moduleName: 'hla-typer', versions: [{ version: '2.0.0' }] } },
        'm-1',
      ),
    ).toEqual({
      ok: true,
      value: { id: 'm-1', moduleName: 'hla-typer', versions: [{ version: '2.0.0' }] },
    });
  });

  it('reads who the caller is from whatever fields the answer has', () => {
    expect(
      readMe({ success: true, data: { user: { email: 'dev@hosted.test' }, roles: ['developer'] } }),
    ).toEqual({ ok: true, value: { user: { email: 'dev@hosted.test' }, roles: ['developer'] } });
  });

  it('reads the publish config, knowing the environment, and names what publish needs', () => {
    expect(
      readPublishConfig(
        {
          success: true,
          data: { registry: 'ghcr.io/your-org', allowlist: [], requireSignature: true },
        },
        'prod',
      ),
    ).toEqual({
      ok: true,
      value: {
        environment: 'prod',
        registry: 'ghcr.io/your-org',
        allowlist: [],
        requireSignature: true,
        publicScopeRequiresApproval: true,
      },
    });
    // The SDK reads only `registry`: an answer with nothing else leaves the rest unknown.
    expect(readPublishConfig({ registry: 'ghcr.io/your-org' }, 'prod')).toEqual({
      ok: true,
      value: {
        environment: 'prod',
        registry: 'ghcr.io/your-org',
        publicScopeRequiresApproval: true,
      },
    });
    expect(readPublishConfig({ allowlist: [] }, 'prod')).toEqual({
      ok: false,
      problem: 'has no registry',
    });
  });
});

describe('publish answers', () => {
  const request = {
    imageRef: `ghcr.io/your-org/hla-typer:2.0.0@${DIGEST}`,
    manifest: { name: 'hla-typer', version: '2.0.0', type: 'no-ui' },
    scope: 'public' as const,
  };
  const sent = { request, environment: 'prod' as const };
  const emulatorAccepted = {
    publishId: 'pub_1',
    moduleId: 'mod_1',
    versionId: 'ver_1',
    moduleName: 'hla-typer',
    version: '2.0.0',
    environment: 'prod',
    scope: 'public',
    state: 'SUBMITTED',
    status: 'pending',
    image: { repository: 'ghcr.io/your-org/hla-typer', digest: DIGEST },
    imageRef: `ghcr.io/your-org/hla-typer@${DIGEST}`,
  };

  it('reads the emulator’s 202 exactly as the contract does', () => {
    expect(readPublishAccepted(emulatorAccepted, sent)).toEqual({
      ok: true,
      value: publishAcceptedSchema.parse(emulatorAccepted),
    });
  });

  it('completes the hosted 202 (image string, digest beside it) with what was sent', () => {
    const hosted = {
      moduleId: 'm-9',
      versionId: 'v-9',
      status: 'queued',
      image: 'ghcr.io/your-org/hla-typer:2.0.0',
      digest: `sha256:${'b'.repeat(64)}`,
      publishId: 'job-9',
      state: 'SUBMITTED',
    };
    expect(readPublishAccepted(hosted, sent)).toEqual({
      ok: true,
      value: {
        publishId: 'job-9',
        moduleId: 'm-9',
        versionId: 'v-9',
        moduleName: 'hla-typer',
        version: '2.0.0',
        environment: 'prod',
        scope: 'public',
        state: 'SUBMITTED',
        status: 'pending',
        image: { repository: 'ghcr.io/your-org/hla-typer', digest: `sha256:${'b'.repeat(64)}` },
        imageRef: `ghcr.io/your-org/hla-typer@sha256:${'b'.repeat(64)}`,
      },
    });
  });

  it('derives the state from the status, and the image from the reference sent', () => {
    const answer = readPublishAccepted(
      {
        success: true,
        data: { moduleId: 'm', versionId: 'v', publishId: 'p', status: 'completed' },
      },
      { ...sent, request: { ...request, scope: 'org' } },
    );
    expect(answer).toMatchObject({
      ok: true,
      value: {
        state: 'APPROVED',
        status: 'completed',
        scope: 'org',
        image: { repository: 'ghcr.io/your-org/hla-typer', digest: DIGEST },
      },
    });
  });

  it('names the field publish needs when it is missing', () => {
    const { publishId: _publishId, ...withoutId } = emulatorAccepted;
    expect(readPublishAccepted(withoutId, sent)).toEqual({
      ok: false,
      problem: 'has no publishId',
    });
    expect(
      readPublishAccepted(
        { moduleId: 'm', versionId: 'v', publishId: 'p', status: 'queued' },
        sent,
      ),
    ).toMatchObject({ ok: true, value: { state: 'SUBMITTED', status: 'pending' } });
  });

  it('reads the emulator’s publish status exactly as the contract does', () => {
    const status = {
      ...emulatorAccepted,
      currentPhase: 'approval',
      failureReason: null,
      startTime: '2026-01-01T00:00:00.000Z',
      endTime: null,
    };
    expect(readPublishStatus(status, { publishId: 'pub_1', environment: 'prod' })).toEqual({
      ok: true,
      value: publishStatusSchema.parse(status),
    });
  });

  it('reads the hosted status fields, any of which may be missing', () => {
    expect(
      readPublishStatus(
        {
          status: 'building',
          buildStatus: 'IN_PROGRESS',
          currentPhase: 'security-scan',
          startTime: '2026-01-01T10:00:00Z',
          message: 'Scanning the image',
          logsUrl: 'https://logs.example/job-9',
        },
        { publishId: 'job-9', environment: 'prod' },
      ),
    ).toEqual({
      ok: true,
      value: {
        publishId: 'job-9',
        environment: 'prod',
        state: 'SUBMITTED',
        status: 'building',
        buildStatus: 'IN_PROGRESS',
        currentPhase: 'security-scan',
        startTime: '2026-01-01T10:00:00Z',
        message: 'Scanning the image',
        logsUrl: 'https://logs.example/job-9',
      },
    });
    expect(readPublishStatus({}, { publishId: 'job-9', environment: 'prod' })).toEqual({
      ok: false,
      problem: 'has no state (nor a status)',
    });
  });

  it.each([
    ['completed', 'APPROVED'],
    ['COMPLETED', 'APPROVED'],
    ['failed', 'REJECTED'],
    ['cancelled', 'REJECTED'],
    ['pending', 'SUBMITTED'],
    ['building', 'SUBMITTED'],
  ])('reads the job status %s as %s', (status, state) => {
    expect(stateOfStatus(status)).toBe(state);
  });
});

// The built CLI against a server that answers as the hosted platform documents it.

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const users: Record<string, { password: string; token: string; refreshToken?: string }> = {
  'developer@hosted.test': {
    password: 'hosted-pass-1',
    token: 'hosted-at-developer-0001',
    refreshToken: 'hosted-rt-developer-0001',
  },
  'ci@hosted.test': { password: 'hosted-pass-2', token: 'hosted-at-ci-0000000002' },
};
const secrets = [
  ...Object.values(users).flatMap((user) => [user.password, user.token, user.refreshToken ?? '']),
  'hosted-at-renewed-000003',
  'hosted-at-browser-000004',
  'hosted-rt-browser-000004',
].filter((secret) => secret !== '');

let hosted: Server;
let hostedUrl: string;
const seen: Seen[] = [];
/** Access tokens the server accepts, and the email each belongs to. */
const sessions = new Map<string, string>();
let listingForm: 'items' | 'modules' = 'items';
/** Whether the publish answer carries the publishId the SDK reads (the OpenAPI 202 does not). */
let publishAnswerHasId = true;
/** A real registry for `publish` to resolve the image at; the platform is the server below. */
let registry: RunningRegistry;

const summaries = [
  {
    id: 'm-1',
    moduleName: 'peptide-scorer',
    currentVersion: '1.2.0',
    visibility: 'org',
    pricing: { tiers: [{ tier: 'standard', amountAct: 1 }] },
  },
  { id: 'm-2', moduleName: 'hla-typer', currentVersion: null, visibility: 'public', pricing: null },
];

const publishJobs: Record<string, { status: number; body: unknown }> = {
  'job-building': {
    status: 200,
    body: {
      publishId: 'job-building',
      status: 'building',
      buildStatus: 'IN_PROGRESS',
      currentPhase: 'security-scan',
      startTime: '2026-01-01T10:00:00Z',
      message: 'Scanning the image',
      logsUrl: 'https://logs.hosted.test/job-building',
    },
  },
  'job-done': {
    status: 200,
    body: {
      success: true,
      data: {
        status: 'completed',
        startTime: '2026-01-01T10:00:00Z',
        endTime: '2026-01-01T10:05:00Z',
      },
    },
  },
  'job-failed': {
    status: 200,
    body: { status: 'failed', failureReason: 'HIGH vulnerabilities found (CVE-2026-0001)' },
  },
  'job-no-state': { status: 200, body: { buildStatus: 'UNKNOWN' } },
  'job-contract-error': {
    status: 409,
    body: {
      code: 'VERSION_EXISTS',
      message: 'hla-typer@2.0.0 already exists in dev',
      requestId: 'req-from-the-body',
    },
  },
  'job-unknown': { status: 404, body: { message: 'Publish job not found', code: 'JOB_NOT_FOUND' } },
  'job-bad-id': { status: 400, body: { message: 'Malformed publish id', code: 'BAD_PUBLISH_ID' } },
  'job-not-yours': {
    status: 403,
    body: { error: { message: 'This publish job belongs to another org', code: 'ACCESS_DENIED' } },
  },
  'job-invalid': {
    status: 422,
    body: {
      detail: [
        { loc: ['path', 'publish_id'], msg: 'value is not a valid uuid', type: 'type_error.uuid' },
      ],
    },
  },
  'job-down': { status: 500, body: { detail: 'Intake service unavailable' } },
};

function answer(response: ServerResponse, status: number, body: unknown): void {
  // No X-Request-Id: the hosted errors without a requestId are then traced by the CLI's own.
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(request.url ?? '/', 'http://hosted');
  seen.push({ method: request.method ?? '', path: url.pathname, headers: request.headers, body });
  const route = `${request.method} ${url.pathname}`;

  if (route === 'POST /v1/auth/login') {
    const { email, password } = JSON.parse(body) as { email: string; password: string };
    const user = users[email];
    if (user === undefined || user.password !== password) {
      return answer(response, 401, { message: 'Invalid email or password', code: 'AUTH_FAILED' });
    }
    sessions.set(user.token, email);
    // The legacy envelope with snake_case for one user; bare, without refresh or expiry, for the other.
    return user.refreshToken === undefined
      ? answer(response, 200, { access_token: user.token })
      : answer(response, 200, {
          success: true,
          data: { access_token: user.token, refresh_token: user.refreshToken, expires_in: 3600 },
        });
  }
  if (route === 'POST /v1/auth/refresh') {
    const { refresh_token: refreshToken } = JSON.parse(body) as { refresh_token?: string };
    const owner = Object.entries(users).find(([, user]) => user.refreshToken === refreshToken);
    if (owner === undefined) return answer(response, 401, { detail: 'Invalid refresh token' });
    sessions.set('hosted-at-renewed-000003', owner[0]);
    // No new refresh token: the old one stays valid.
    return answer(response, 200, {
      success: true,
      data: { access_token: 'hosted-at-renewed-000003', expires_in: 900 },
    });
  }

  const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
  const email = token === undefined ? undefined : sessions.get(token);
  if (email === undefined) return answer(response, 401, { detail: 'Not authenticated' });

  if (route === 'GET /v1/auth/me') {
    return answer(response, 200, {
      success: true,
      data: {
        user: { id: 'u-1', email, name: 'Hosted User' },
        org: { id: 'your-org', name: 'Your Org' },
        roles: ['developer'],
      },
    });
  }
  if (route === 'GET /v1/modules') {
    return answer(
      response,
      200,
      listingForm === 'items' ? { items: summaries } : { modules: summaries },
    );
  }
  if (route === 'GET /v1/modules/m-1') {
    return answer(response, 200, {
      success: true,
      data: {
        id: 'm-1',
        moduleName: 'peptide-scorer',
        currentVersion: '1.2.0',
        versions: [{ version: '1.2.0', state: 'APPROVED' }],
      },
    });
  }
  if (route === 'GET /v1/modules/publish/config') {
    // Only what the SDK reads of it: no allowlist, no signature policy.
    return answer(response, 200, {
      success: true,
      data: { registry: `${registry.host}/your-org` },
    });
  }
  if (route === 'POST /v1/modules/publish') {
    const { imageRef } = JSON.parse(body) as { imageRef: string };
    const [image, digest] = imageRef.split('@');
    // The OpenAPI 202 {moduleId, versionId, status, image, digest} and what the SDK also reads.
    return answer(response, 202, {
      moduleId: 'm-new',
      versionId: 'v-new',
      status: 'queued',
      image,
      digest,
      ...(publishAnswerHasId ? { publishId: 'job-new', state: 'SUBMITTED' } : {}),
    });
  }
  const job = /^\/v1\/modules\/publish\/([^/]+)$/.exec(url.pathname)?.[1];
  const known = job === undefined ? undefined : publishJobs[job];
  if (request.method === 'GET' && known !== undefined)
    return answer(response, known.status, known.body);
  return answer(response, 404, { detail: 'Not Found' });
}

beforeAll(async () => {
  hosted = createServer((request, response) => {
    handle(request, response).catch(() => answer(response, 500, { detail: 'test server failed' }));
  });
  await new Promise<void>((resolve) => hosted.listen(0, '127.0.0.1', resolve));
  hostedUrl = `http://127.0.0.1:${(hosted.address() as AddressInfo).port}`;
  registry = await startRegistry();
});
afterAll(async () => {
  await new Promise((resolve) => hosted?.close(resolve));
  await registry?.stop();
  for (const output of capturedOutput) {
    for (const secret of secrets) expect(output).not.toContain(secret);
  }
});

let sandbox: Sandbox;
const CORRELATION_ID = 'run-2026-hosted';
const run = (
  args: string[],
  options: { stdin?: string; env?: Record<string, string>; cwd?: string } = {},
) =>
  sandbox.run(['--env', 'dev', ...args], {
    ...options,
    env: { HLA_CORRELATION_ID: CORRELATION_ID, ...options.env },
  });
const credentialsFile = () => join(sandbox.configDir, 'credentials', 'dev.json');
const loginAs = (email: string) =>
  run(['auth', 'login', '--email', email, '--password-stdin'], {
    stdin: `${users[email]?.password}\n`,
  });

beforeEach(async () => {
  seen.length = 0;
  sessions.clear();
  listingForm = 'items';
  publishAnswerHasId = true;
  sandbox = await createSandbox();
  await mkdir(sandbox.configDir, { recursive: true, mode: 0o700 });
  await writeFile(
    join(sandbox.configDir, 'config.json'),
    JSON.stringify({ environments: { dev: { apiUrl: hostedUrl } } }),
  );
});
// afterEach also runs when beforeEach failed half-way, so no sandbox is left behind.
afterEach(async () => {
  await sandbox?.cleanup();
});

const expectRefused = (result: CliResult, exit: number, message: string) => {
  expect(result.code).toBe(exit);
  expect(result.stderr).toContain(`error: ${message}`);
  expect(result.stderr).not.toContain('internal error');
};

describe('the CLI against the hosted platform’s answer forms', () => {
  it('logs in from an enveloped snake_case answer, and auth status shows who', async () => {
    const login = await loginAs('developer@hosted.test');
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(
      'Logged in to dev as developer@hosted.test (org Your Org; roles: developer)',
    );
    const stored = JSON.parse(await readFile(credentialsFile(), 'utf8'));
    expect(stored).toMatchObject({
      method: 'password',
      apiUrl: hostedUrl,
      accessToken: users['developer@hosted.test']?.token,
      refreshToken: users['developer@hosted.test']?.refreshToken,
      expiresAt: expect.any(String),
    });

    const status = await run(['auth', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      authenticated: true,
      source: 'stored token',
      refreshable: true,
      user: { email: 'developer@hosted.test' },
      org: { id: 'your-org', name: 'Your Org' },
      roles: ['developer'],
      superuser: null,
    });
    // Every request carried the SDK's correlation id.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const request of seen) expect(request.headers['x-correlation-id']).toBe(CORRELATION_ID);
  });

  it('stores a session without a refresh token for an hour, and says it cannot be renewed', async () => {
    const login = await loginAs('ci@hosted.test');
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('the platform gave no refresh token, so log in again then');
    const stored = JSON.parse(await readFile(credentialsFile(), 'utf8'));
    expect(stored.refreshToken).toBeUndefined();
    const hours = (Date.parse(stored.expiresAt) - Date.parse(stored.savedAt)) / 3_600_000;
    expect(Math.round(hours)).toBe(1);

    const status = await run(['auth', 'status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      '(no refresh token: run `hla-compass auth login` again when it expires)',
    );

    sessions.delete(users['ci@hosted.test']?.token ?? '');
    const expired = await run(['modules', 'list']);
    expectRefused(
      expired,
      3,
      'your dev session has expired, and it cannot be renewed: the platform gave no refresh token',
    );
  });

  it('renews an expired session with refresh_token and keeps the refresh token the answer leaves out', async () => {
    await loginAs('developer@hosted.test');
    sessions.delete(users['developer@hosted.test']?.token ?? '');
    const list = await run(['modules', 'list', '--json']);
    expect(list.code).toBe(0);
    const refresh = seen.find((request) => request.path === '/v1/auth/refresh');
    expect(JSON.parse(refresh?.body ?? '{}')).toMatchObject({
      refresh_token: users['developer@hosted.test']?.refreshToken,
    });
    const stored = JSON.parse(await readFile(credentialsFile(), 'utf8'));
    expect(stored.accessToken).toBe('hosted-at-renewed-000003');
    expect(stored.refreshToken).toBe(users['developer@hosted.test']?.refreshToken);
  });

  it('refuses a wrong password ({message, code} with a code the CLI does not know) with exit 3', async () => {
    const result = await run(
      ['auth', 'login', '--email', 'developer@hosted.test', '--password-stdin'],
      {
        stdin: 'wrong\n',
      },
    );
    expectRefused(result, 3, 'Invalid email or password');
    const sent = seen.find((request) => request.path === '/v1/auth/login');
    expect(result.stderr).toContain(`request id: ${sent?.headers['x-request-id']}`);
  });

  it('lists modules from {items} and from {modules}, unknown fields shown as -', async () => {
    await loginAs('developer@hosted.test');
    for (const form of ['items', 'modules'] as const) {
      listingForm = form;
      const json = await run(['modules', 'list', '--json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({
        environment: 'dev',
        total: null,
        modules: [
          { id: 'm-1', moduleName: 'peptide-scorer', currentVersion: '1.2.0' },
          { id: 'm-2', moduleName: 'hla-typer', currentVersion: null },
        ],
      });
    }
    const table = await run(['modules', 'list']);
    expect(table.stdout).toMatch(/^peptide-scorer +1\.2\.0 +- +-$/m);
    expect(table.stdout).toMatch(/^hla-typer +\(none approved\) +- +-$/m);
  });

  it('shows a module from the hosted listing and its enveloped answer', async () => {
    await loginAs('developer@hosted.test');
    const shown = await run(['modules', 'show', 'peptide-scorer']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('peptide-scorer (unknown org, dev)');
    expect(shown.stdout).toContain('current      1.2.0');
    expect(shown.stdout).toMatch(/^1\.2\.0 +APPROVED +- +- +-$/m);
    // One listing request: without a total, the listing is not paged.
    expect(seen.filter((request) => request.path === '/v1/modules')).toHaveLength(1);
  });

  it('shows a hosted publish job, its state read from its status', async () => {
    await loginAs('developer@hosted.test');
    const building = await run(['publish-status', 'job-building']);
    expect(building.code).toBe(0);
    expect(building.stdout).toContain('publish      job-building');
    expect(building.stdout).toContain('module       unknown (dev, scope unknown)');
    expect(building.stdout).toContain('state        SUBMITTED (not decided yet)');
    expect(building.stdout).toContain(
      'progress     building, build IN_PROGRESS, phase security-scan',
    );
    expect(building.stdout).toContain('message      Scanning the image');
    expect(building.stdout).toContain('logs         https://logs.hosted.test/job-building');

    const done = await run(['publish-status', 'job-done', '--json']);
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout)).toEqual({
      publishId: 'job-done',
      environment: 'dev',
      state: 'APPROVED',
      status: 'completed',
      startTime: '2026-01-01T10:00:00Z',
      endTime: '2026-01-01T10:05:00Z',
    });

    const failed = await run(['publish-status', 'job-failed']);
    expectRefused(
      failed,
      1,
      'publish job-failed was rejected in dev: HIGH vulnerabilities found (CVE-2026-0001)',
    );
  });

  it('names the field a hosted answer lacks, with exit 1 and a hint', async () => {
    await loginAs('developer@hosted.test');
    const result = await run(['publish-status', 'job-no-state']);
    expectRefused(
      result,
      1,
      "the platform's answer to GET /v1/modules/publish/{publishId} has no state (nor a status)",
    );
    expect(result.stderr).toContain('hint: this CLI and the platform may be of different versions');
  });

  it.each([
    ['job-contract-error', 1, 'hla-typer@2.0.0 already exists in dev'],
    ['job-unknown', 1, 'Publish job not found'],
    ['job-bad-id', 2, 'Malformed publish id'],
    ['job-not-yours', 1, 'This publish job belongs to another org'],
    ['job-invalid', 1, 'path.publish_id: value is not a valid uuid'],
    ['job-down', 4, 'Intake service unavailable'],
  ])('reports the error answer of %s with exit %i and its message', async (job, exit, message) => {
    await loginAs('developer@hosted.test');
    const result = await run(['publish-status', job, '--json']);
    expectRefused(result, exit, message);
    const { error } = JSON.parse(result.stdout);
    const attempt = seen.filter((request) => request.path === `/v1/modules/publish/${job}`).at(-1);
    expect(error.requestId).toBe(
      job === 'job-contract-error' ? 'req-from-the-body' : attempt?.headers['x-request-id'],
    );
  });

  it('refuses a token the platform does not know ({detail}) with exit 3', async () => {
    const result = await run(['auth', 'status'], {
      env: { HLA_ACCESS_TOKEN: 'not-a-hosted-token' },
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toContain('Not authenticated');
    expect(result.stderr).toContain('HLA_ACCESS_TOKEN was refused by dev');
  });
});

describe('publish against the hosted platform’s answer forms', () => {
  async function pushedModule() {
    expect((await sandbox.run(['init', 'hla-typer'])).code).toBe(0);
    const image = `${registry.host}/your-org/hla-typer:0.1.0`;
    const pushed = await new RegistryClient().pushImage(image, {
      layers: [Buffer.from(`hosted publish ${sandbox.dir}`)],
    });
    return { dir: join(sandbox.dir, 'hla-typer'), digest: pushed.digest };
  }

  it('completes the 202 (an image string, the digest beside it) with what it sent', async () => {
    await loginAs('developer@hosted.test');
    const module = await pushedModule();
    const result = await run(['publish', '--scope', 'public', '--json'], { cwd: module.dir });
    expect(result.code).toBe(0);
    // The config states no allowlist and no signature policy: publish leaves them to the platform.
    expect(result.stderr).not.toContain('allowlist');
    expect(result.stderr).toContain('does not say whether it requires signatures');
    expect(JSON.parse(result.stdout)).toEqual({
      publishId: 'job-new',
      moduleId: 'm-new',
      versionId: 'v-new',
      moduleName: 'hla-typer',
      version: '0.1.0',
      environment: 'dev',
      scope: 'public',
      state: 'SUBMITTED',
      status: 'pending',
      image: { repository: `${registry.host}/your-org/hla-typer`, digest: module.digest },
      imageRef: `${registry.host}/your-org/hla-typer@${module.digest}`,
      keyFingerprint: null,
    });
  });

  it('names the publishId a 202 without one lacks, with exit 1', async () => {
    await loginAs('developer@hosted.test');
    const module = await pushedModule();
    publishAnswerHasId = false;
    const result = await run(['publish'], { cwd: module.dir });
    expectRefused(result, 1, "the platform's answer to POST /v1/modules/publish has no publishId");
    expect(result.stderr).toMatch(/request id: [0-9a-f-]{36}/);
  });
});

describe('browser login with the hosted console’s payload', () => {
  /** Starts `auth login --no-browser` and hands back the URL it prints and its outcome. */
  async function startBrowserLogin() {
    const child = spawn(
      process.execPath,
      [CLI_PATH, '--env', 'dev', 'auth', 'login', '--no-browser'],
      {
        cwd: sandbox.dir,
        env: sandbox.env,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    const loginUrl = await new Promise<URL>((resolve) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        const match = /(http:\/\/127\.0\.0\.1:\d+\/cli-login\?\S+)/.exec(stderr);
        if (match?.[1]) resolve(new URL(match[1]));
      });
    });
    const exited = new Promise<CliResult>((resolve) =>
      child.on('close', (code) => {
        capturedOutput.push(stdout, stderr);
        resolve({ code: code ?? -1, stdout, stderr });
      }),
    );
    const redirectUri = loginUrl.searchParams.get('redirect_uri') ?? '';
    const state = loginUrl.searchParams.get('state') ?? '';
    /** The console's redirect, as the browser follows it. */
    const callback = async (query: Record<string, string>) => {
      const response = await fetch(`${redirectUri}?${new URLSearchParams(query)}`);
      return { status: response.status, page: await response.text() };
    };
    return { loginUrl, state, callback, exited };
  }

  it('takes the tokens of a payload once the state matches, and refuses another state', async () => {
    const { loginUrl, state, callback, exited } = await startBrowserLogin();
    expect(loginUrl.origin).toBe(hostedUrl);
    expect(loginUrl.searchParams.get('redirect_uri')).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/cli-callback$/,
    );
    sessions.set('hosted-at-browser-000004', 'developer@hosted.test');
    const payload = base64Json({
      access_token: 'hosted-at-browser-000004',
      refresh_token: 'hosted-rt-browser-000004',
      expires_in: 1800,
    });

    const forged = await callback({ state: `${state}x`, payload });
    expect(forged.status).toBe(400);
    const signedIn = await callback({ state, payload });
    expect(signedIn.status).toBe(200);
    expect(signedIn.page).toContain('You can close this tab');

    const result = await exited;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Logged in to dev as developer@hosted.test');
    const stored = JSON.parse(await readFile(credentialsFile(), 'utf8'));
    expect(stored).toMatchObject({
      method: 'browser',
      apiUrl: hostedUrl,
      accessToken: 'hosted-at-browser-000004',
      refreshToken: 'hosted-rt-browser-000004',
    });
  });

  it('answers a payload it cannot read with a 400 page and exit 3', async () => {
    const { state, callback, exited } = await startBrowserLogin();
    const page = await callback({ state, payload: 'not base64 at all!' });
    expect(page.status).toBe(400);
    expect(page.page).toContain('could not be read');
    const result = await exited;
    expectRefused(result, 3, "the console's sign-in answer (payload) is not base64");
  });
});
