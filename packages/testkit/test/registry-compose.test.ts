// The registry fallback where docker-registry cannot be had: registry:2 from the repository's
// docker-compose.yml, on a free port with temp storage. A private engine with a bridge (ports are
// published), and a registry:2 image built offline from the docker-registry program itself.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLddOutput } from '../src/base-image.js';
import { ensureDebianPackages } from '../src/debian.js';
import { type RunningDockerEngine, startDockerEngine } from '../src/docker-engine.js';
import { findExecutable } from '../src/executables.js';
import { startRegistry } from '../src/registry.js';

const run = promisify(execFile);
const USER = { username: 'compose-user', password: 'compose-test-password-7' };

let engine: RunningDockerEngine;
const docker = (...args: string[]) => run('docker', ['--host', engine.dockerHost, ...args]);

beforeAll(async () => {
  const needed = [
    ...((await findExecutable('docker-compose')) ? [] : ['docker-compose']),
    ...((await findExecutable('docker-registry')) ? [] : ['docker-registry']),
    ...((await findExecutable('htpasswd')) ? [] : ['apache2-utils']),
  ];
  if (needed.length > 0)
    await ensureDebianPackages(needed, { reason: 'the registry:2 compose tests' });
  engine = await startDockerEngine({ bridge: true });
  await buildRegistryImage();
}, 180_000);
afterAll(() => engine?.stop());

/** registry:2 made of the docker-registry program and its libraries, unless the engine has one. */
async function buildRegistryImage(): Promise<void> {
  const present = await docker('image', 'inspect', 'registry:2').then(
    () => true,
    () => false,
  );
  if (present) return;
  const program = (await findExecutable('docker-registry')) ?? '/usr/bin/docker-registry';
  const context = await mkdtemp(join(tmpdir(), 'registry-image-'));
  try {
    const { stdout } = await run('ldd', [program]);
    for (const file of [program, ...parseLddOutput(stdout)]) {
      const target = join(context, 'rootfs', file === program ? 'bin/registry' : file);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(file, target);
    }
    await mkdir(join(context, 'rootfs/etc/docker/registry'), { recursive: true });
    await writeFile(
      join(context, 'rootfs/etc/docker/registry/config.yml'),
      'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\n',
    );
    await writeFile(
      join(context, 'Dockerfile'),
      'FROM scratch\nCOPY rootfs/ /\nVOLUME /var/lib/registry\nEXPOSE 5000\n' +
        'ENTRYPOINT ["/bin/registry"]\nCMD ["serve", "/etc/docker/registry/config.yml"]\n',
    );
    await docker('build', '--quiet', '--tag', 'registry:2', context);
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

/** Uploads one blob with the Distribution API's monolithic upload; resolves to its digest. */
async function pushBlob(url: string, repository: string, headers: Record<string, string> = {}) {
  const bytes = Buffer.from(`a blob for ${repository}`);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const started = await fetch(`${url}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
    headers,
  });
  expect(started.status).toBe(202);
  const location = new URL(started.headers.get('location') ?? '', url);
  location.searchParams.set('digest', digest);
  const done = await fetch(location, { method: 'PUT', headers, body: bytes });
  expect(done.status).toBe(201);
  return digest;
}

const basic = (user: { username: string; password: string }) => ({
  authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`,
});

async function containersOf(): Promise<string[]> {
  const { stdout } = await docker('ps', '--all', '--format', '{{.Names}}');
  return stdout.split('\n').filter((name) => name.startsWith('hla-compass-test-'));
}

describe('registry:2 through docker compose', { timeout: 120_000 }, () => {
  it('serves a plain registry on a free loopback port, with its storage in the temp dir', async () => {
    const registry = await startRegistry({ via: 'compose', dockerHost: engine.dockerHost });
    try {
      expect(registry.url).toBe(`http://${registry.host}`);
      const digest = await pushBlob(registry.url, 'your-org/compose-test');
      const head = await fetch(`${registry.url}/v2/your-org/compose-test/blobs/${digest}`, {
        method: 'HEAD',
      });
      expect(head.status).toBe(200);
      expect(
        await readdir(join(registry.storageDir, 'docker/registry/v2/repositories/your-org')),
      ).toEqual(['compose-test']);
      expect(await containersOf()).toHaveLength(1);
    } finally {
      await registry.stop();
    }
    expect(await containersOf()).toEqual([]);
    await expect(readdir(registry.storageDir)).rejects.toThrow(/ENOENT/);
  });

  it('serves the htpasswd registry: refused without credentials, open with them', async () => {
    const registry = await startRegistry({
      via: 'compose',
      dockerHost: engine.dockerHost,
      htpasswd: USER,
    });
    try {
      const digest = await pushBlob(registry.url, 'your-org/guarded', basic(USER));
      const blob = `${registry.url}/v2/your-org/guarded/blobs/${digest}`;
      expect((await fetch(blob, { method: 'HEAD' })).status).toBe(401);
      const wrong = basic({ username: USER.username, password: 'not-the-password' });
      expect((await fetch(blob, { method: 'HEAD', headers: wrong })).status).toBe(401);
      expect((await fetch(blob, { method: 'HEAD', headers: basic(USER) })).status).toBe(200);
    } finally {
      await registry.stop();
    }
    expect(await containersOf()).toEqual([]);
  });
});
