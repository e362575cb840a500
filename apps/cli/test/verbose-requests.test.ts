// `--verbose` shows each request the CLI makes to the platform (method, URL, status, request id,
// time) on stderr and never a credential; `publish-status --watch` running out of time is told
// apart from a rejection. The built CLI against the emulator and real registries on loopback.
import { freePort } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { describeExchange, loggableUrl } from '../src/platform/http.js';
import { capturedOutput, createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login, pointAtEmulator, storedTokens } from './sandbox-config.js';

let world: PublishingWorld;
let sandbox: Sandbox;
const seenTokens: string[] = [];

beforeAll(async () => {
  world = await startPublishingWorld();
});
afterAll(async () => {
  if (world === undefined) return;
  await world.stop();
  const secrets = [...world.secrets(), ...seenTokens];
  for (const output of capturedOutput) {
    for (const secret of secrets) expect(output).not.toContain(secret);
  }
});
beforeEach(async () => {
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
});
afterEach(async () => {
  if (sandbox === undefined) return;
  seenTokens.push(...(await storedTokens(sandbox, 'dev')));
  await sandbox.cleanup();
});

/** The request lines of a --verbose run's stderr. */
const requestLines = (stderr: string) =>
  stderr.split('\n').filter((line) => /^debug: (GET|POST|DELETE) /.test(line));

const REQUEST_LINE =
  /^debug: (GET|POST|DELETE) (http:\/\/127\.0\.0\.1:\d+\/\S+) → (\d{3}|failed \([^)]+\)) in (\d+) ms \(request id ([^\s,)]+)(, attempt \d+)?\)$/;

describe('--verbose', () => {
  it('logs every request to the platform with method, URL, status, request id and time', async () => {
    const loggedIn = await sandbox.run(
      [
        'auth',
        'login',
        '--env',
        'dev',
        '--email',
        world.users.developer.email,
        '--password-stdin',
        '--verbose',
      ],
      { stdin: `${world.users.developer.password}\n` },
    );
    expect(loggedIn.code).toBe(0);
    const loginLines = requestLines(loggedIn.stderr);
    expect(loginLines[0]).toMatch(REQUEST_LINE);
    expect(loginLines[0]).toContain(`POST ${world.apiUrl('dev')}/v1/auth/login → 200 in `);

    const listed = await sandbox.run(['modules', 'list', '--limit', '5', '--verbose']);
    expect(listed.code).toBe(0);
    const [line, ...more] = requestLines(listed.stderr);
    expect(more).toEqual([]);
    const [, method, url, status, ms, requestId] = REQUEST_LINE.exec(line ?? '') ?? [];
    expect({ method, url, status }).toEqual({
      method: 'GET',
      url: `${world.apiUrl('dev')}/v1/modules?limit=5`,
      status: '200',
    });
    expect(Number(ms)).toBeGreaterThanOrEqual(0);
    // The id is the platform's echo of the one sent: the emulator's X-Request-Id.
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    // The log is stderr only: stdout keeps the result alone.
    expect(listed.stdout).not.toContain('debug:');
  });

  it('logs a 401 and its refused status without any credential, and no lines without --verbose', async () => {
    const apiKey = world.users.developer.apiKey ?? '';
    const refused = await sandbox.run(['auth', 'status', '--verbose'], {
      env: { HLA_API_KEY: 'hlc_ak_not-a-real-key-0123456789' },
    });
    expect(refused.code).toBe(3);
    const lines = requestLines(refused.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^debug: GET \S+\/v1\/auth\/me → 401 in \d+ ms/);
    expect(refused.stderr).not.toContain('not-a-real-key');

    const quiet = await sandbox.run(['auth', 'status'], { env: { HLA_API_KEY: apiKey } });
    expect(quiet.code).toBe(0);
    expect(requestLines(quiet.stderr)).toEqual([]);
    const verbose = await sandbox.run(['auth', 'status', '--verbose'], {
      env: { HLA_API_KEY: apiKey },
    });
    expect(requestLines(verbose.stderr)).toHaveLength(1);
    for (const output of [verbose.stderr, verbose.stdout]) {
      expect(output).not.toContain(apiKey);
      expect(output.toLowerCase()).not.toContain('authorization');
      expect(output.toLowerCase()).not.toContain('x-api-key');
    }
  });

  it('never logs the session tokens it sends', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const [accessToken = '', refreshToken = ''] = await storedTokens(sandbox, 'dev');
    const result = await sandbox.run(['keys', 'list', '--verbose']);
    expect(result.code).toBe(0);
    expect(requestLines(result.stderr)).toEqual([expect.stringMatching(REQUEST_LINE)]);
    expect(accessToken.length).toBeGreaterThan(16);
    for (const secret of [accessToken, refreshToken, 'Bearer']) {
      expect(result.stderr).not.toContain(secret);
    }
  });

  it('logs each attempt that found no platform, with why', async () => {
    const port = await freePort();
    const result = await sandbox.run(
      ['modules', 'list', '--verbose', '--api-url', `http://127.0.0.1:${port}/dev`],
      {
        env: {
          HLA_API_KEY: 'hlc_ak_whatever-it-is-0123456789',
          HLA_COMPASS_HTTP_TIMEOUT_SECONDS: '2',
        },
      },
    );
    expect(result.code).toBe(4);
    const lines = requestLines(result.stderr);
    expect(lines).toHaveLength(4);
    for (const [index, line] of lines.entries()) {
      expect(line).toMatch(REQUEST_LINE);
      expect(line).toContain(
        `GET http://127.0.0.1:${port}/dev/v1/modules?limit=100 → failed (connection refused) in `,
      );
      if (index > 0) expect(line).toContain(`, attempt ${index + 1})`);
    }
  });

  it('shows URLs without userinfo and with secret-looking query values masked', () => {
    expect(
      loggableUrl('https://user:hunter22@api.example/v1/x?limit=5&access_token=abc&apiKey=k'),
    ).toBe('https://api.example/v1/x?limit=5&access_token=***&apiKey=***');
    expect(
      describeExchange({
        method: 'POST',
        url: 'https://api.example/v1/auth/login',
        attempt: 2,
        status: 503,
        failure: undefined,
        requestId: 'req-1',
        durationMs: 12,
      }),
    ).toBe('POST https://api.example/v1/auth/login → 503 in 12 ms (request id req-1, attempt 2)');
  });
});

describe('publish-status --watch', () => {
  async function submitPublic(): Promise<string> {
    await login(sandbox, world.users.developer, 'dev');
    const name = `watched-${Math.random().toString(36).slice(2, 8)}`;
    const init = await sandbox.run(['init', name]);
    expect(init.code).toBe(0);
    const image = `${world.plain.host}/your-org/${name}:0.1.0`;
    await world.pushImage(image);
    const result = await sandbox.run(
      ['publish', '--env', 'dev', '--scope', 'public', '--image-ref', image, '--json'],
      { cwd: `${sandbox.dir}/${name}` },
    );
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout).publishId;
  }

  it('exits 4 with WAIT_TIMEOUT when the publish is still pending at the deadline', async () => {
    const publishId = await submitPublic();
    const args = ['publish-status', publishId, '--env', 'dev', '--watch', '--timeout', '1'];
    const human = await sandbox.run([...args, '--interval', '1']);
    expect(human.code).toBe(4);
    expect(human.stderr).toContain(
      `error: publish ${publishId} is still SUBMITTED after 1 s: no decision yet`,
    );
    expect(human.stderr).toContain(`hint: a platform superuser must approve it`);
    const json = await sandbox.run([...args, '--interval', '1', '--json']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'WAIT_TIMEOUT' });
  });

  it('publish --wait that runs out is exit 4 WAIT_TIMEOUT too, the publish made and pending', async () => {
    await login(sandbox, world.users.developer, 'dev');
    const name = `waited-${Math.random().toString(36).slice(2, 8)}`;
    expect((await sandbox.run(['init', name])).code).toBe(0);
    const image = `${world.plain.host}/your-org/${name}:0.1.0`;
    await world.pushImage(image);
    const args = ['publish', '--env', 'dev', '--scope', 'public', '--image-ref', image];
    const waited = await sandbox.run([...args, '--wait', '--timeout', '1'], {
      cwd: `${sandbox.dir}/${name}`,
    });
    expect(waited.code, waited.stderr).toBe(4);
    const publishId = /error: publish (\S+) is still SUBMITTED after 1 s: no decision yet/.exec(
      waited.stderr,
    )?.[1];
    expect(publishId, waited.stderr).toBeDefined();
    const status = await sandbox.run(['publish-status', publishId ?? '', '--env', 'dev', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'SUBMITTED' });
  });

  it('exits 1 with PUBLISH_REJECTED when the publish is rejected while it watches', async () => {
    const publishId = await submitPublic();
    const rejected = await world.api(
      'dev',
      world.users.superuser.apiKey ?? '',
      'POST',
      `/v1/modules/publish/${publishId}/reject`,
      { reason: 'needs a description' },
    );
    expect(rejected.status).toBe(200);
    const result = await sandbox.run([
      'publish-status',
      publishId,
      '--env',
      'dev',
      '--watch',
      '--timeout',
      '1',
      '--json',
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('was rejected in dev: needs a description');
  });
});
