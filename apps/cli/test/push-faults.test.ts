// `hla-compass push` against a registry that fails the way real ones do: the built CLI, a real
// Docker engine and a real docker-registry, with testkit's fault proxy between the two. The engine
// pushes to a 127.0.0.1 registry over plain HTTP, so every request of the push crosses the proxy.
import { RegistryClient } from '@hla-compass/registry-client';
import {
  type FaultProxy,
  type RunningRegistry,
  startFaultProxy,
  startRegistry,
} from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';
import {
  BUILD_FLAGS,
  type DockerWorld,
  initModule,
  runDocker,
  startDockerWorld,
} from './docker-world.js';

let world: DockerWorld;
let registry: RunningRegistry;
let proxy: FaultProxy;
let sandbox: Sandbox;
beforeAll(async () => {
  [world, registry] = await Promise.all([startDockerWorld(), startRegistry()]);
}, 180_000);
afterAll(() => Promise.all([world?.stop(), registry?.stop()]));
// A proxy per test: closing it breaks what a test left stalled, which would otherwise hold the
// engine's upload slots (five in all) and make the next test's push wait behind it.
beforeEach(async () => {
  sandbox = await createSandbox();
  proxy = await startFaultProxy({ upstream: registry.url });
  world.removeOnStop(`${proxy.host}/`);
});
afterEach(async () => {
  await proxy.close();
  await sandbox.cleanup();
});

/** A module built and tagged for the registry behind the proxy; its directory and tag. */
async function builtModule(name: string): Promise<{ dir: string; tag: string }> {
  const dir = await initModule(sandbox, name);
  const tag = `${proxy.host}/your-org/${name}:0.1.0`;
  const built = await runDocker(sandbox, world, dir, ['build', '--tag', tag, ...BUILD_FLAGS]);
  expect(built.code, built.stderr).toBe(0);
  return { dir, tag };
}

/** `push` with a short idle timeout, so a stalled push gives up within seconds. */
function push(dir: string, args: readonly string[] = []) {
  return runDocker(sandbox, world, dir, ['push', ...args], {
    env: { HLA_COMPASS_PUSH_IDLE_TIMEOUT_SECONDS: '3' },
  });
}

describe('push through a failing registry', { timeout: 90_000 }, () => {
  it('gives up on an upload the registry stopped reading: still-waiting line, exit 4, push aborted', async () => {
    const { dir, tag } = await builtModule('stalled-upload');
    proxy.inject({
      kind: 'stall-upload',
      afterBytes: 16,
      method: 'PATCH',
      path: /\/blobs\/uploads\//,
    });
    proxy.inject({
      kind: 'stall-upload',
      afterBytes: 16,
      method: 'PUT',
      path: /\/blobs\/uploads\//,
    });

    const result = await push(dir);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(`^still waiting for ${proxy.host} \\(no progress for \\d+ s\\)$`, 'm'),
    );
    expect(result.stderr).toMatch(
      new RegExp(`^error: the push of ${tag} made no progress for 3 s`, 'm'),
    );
    expect(result.stderr).toMatch(/^hint: .*HLA_COMPASS_PUSH_IDLE_TIMEOUT_SECONDS/m);

    // The engine's push job ended with the CLI. Its upload in flight does not end with it (the
    // engine cannot cancel a PATCH under way): a registry back on the same address breaks it.
    // A push job still alive would retry that upload 5 s later and put the manifest; none comes.
    const port = proxy.port;
    await proxy.close();
    proxy = await startFaultProxy({ upstream: registry.url, port });
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(proxy.requests).toEqual([]);
    expect((await new RegistryClient().resolveManifest(tag)).status).toBe('not_found');

    const again = await push(dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/^✓ Pushed /);
  });

  it('gives up the same way in build --push', async () => {
    const dir = await initModule(sandbox, 'stalled-build');
    const tag = `${proxy.host}/your-org/stalled-build:0.1.0`;
    proxy.inject({
      kind: 'stall-upload',
      afterBytes: 16,
      method: 'PATCH',
      path: /\/blobs\/uploads\//,
    });

    const result = await runDocker(
      sandbox,
      world,
      dir,
      ['build', '--tag', tag, '--push', ...BUILD_FLAGS],
      { env: { HLA_COMPASS_PUSH_IDLE_TIMEOUT_SECONDS: '3' } },
    );
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^still waiting for ${proxy.host} `, 'm'));
    expect(result.stderr).toMatch(
      new RegExp(`^error: the push of ${tag} made no progress for 3 s`, 'm'),
    );
  });

  it('exits 4 naming the registry when it answers 503 to everything', async () => {
    const { dir } = await builtModule('unavailable');
    proxy.inject({ kind: 'status', status: 503, path: /^\/v2\//, body: 'service unavailable' });

    const result = await push(dir);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(`^error: the registry ${proxy.host} is unavailable: .*503`, 'm'),
    );
    expect(result.stderr).toMatch(new RegExp(`^hint: ${proxy.host} answered 503 `, 'm'));
    // The engine's retries show off a terminal too, one line as each begins.
    expect(result.stderr).toMatch(/^[0-9a-f]{12}: Retrying in 5 seconds$/m);
    expect(result.stderr).not.toMatch(/Retrying in 4 seconds/);
  });

  it('exits 4 when the registry never sends its headers', async () => {
    const { dir } = await builtModule('no-headers');
    proxy.inject({ kind: 'stall', path: /^\/v2\// });

    // The default idle timeout: the engine gives up on the registry first, and says why.
    const result = await runDocker(sandbox, world, dir, ['push']);
    expect(result.code, result.stderr).toBe(4);
    // Go words the engine's timeout three ways; which one depends on when it fires.
    expect(result.stderr).toMatch(
      new RegExp(
        `^error: cannot reach the registry ${proxy.host}: Get "http://${proxy.host}/v2/"`,
        'm',
      ),
    );
    expect(result.stderr).toMatch(new RegExp(`^hint: check that ${proxy.host} is up`, 'm'));
  });

  it.each([
    [
      '401 with a challenge',
      {
        kind: 'status',
        status: 401,
        path: /^\/v2\//,
        headers: { 'www-authenticate': 'Basic realm="test"' },
        body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
      },
    ],
    [
      '403 DENIED on the upload',
      {
        kind: 'status',
        status: 403,
        method: 'POST',
        path: /\/blobs\/uploads\//,
        body: '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}',
      },
    ],
  ] as const)('is refused with exit 1 and the login hint on a %s', async (_, fault) => {
    const { dir } = await builtModule(`refused-${fault.status}`);
    proxy.inject(fault);

    const result = await push(dir);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^error: ${proxy.host} refused the push of `, 'm'));
    expect(result.stderr).toContain(`hint: run \`docker login ${proxy.host}\``);
  });
});
