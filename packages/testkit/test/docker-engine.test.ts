// The test Docker engine and base image against a real engine: the shared one when it answers,
// else a private dockerd this suite starts (as root on Debian), and what stop() leaves behind.
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, pingEngine } from '../src/engine-api.js';
import {
  BASE_IMAGE_TAG,
  ensureBaseImage,
  existingEngineSockets,
  mountsBelow,
  parseLddOutput,
  privateDaemonArguments,
  type RunningDockerEngine,
  startDockerEngine,
} from '../src/index.js';

const engines: RunningDockerEngine[] = [];

async function start(): Promise<RunningDockerEngine> {
  const engine = await startDockerEngine();
  engines.push(engine);
  return engine;
}

afterAll(async () => {
  await Promise.all(engines.map((engine) => engine.stop()));
});

const OVERLAYFS_MAGIC = 0x794c7630;

/** What dockerd's own choice gives on `dir`: overlay2 unless the kernel or the file system can't. */
function expectedDriver(dir: string): RegExp {
  const kernelHasOverlay = /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'));
  const onOverlay = statfsSync(dir).type === OVERLAYFS_MAGIC;
  return kernelHasOverlay && !onOverlay ? /^overlay2$/ : /^(fuse-overlayfs|vfs)$/;
}

/** Runs `command` in a container of `image` and returns what it printed. */
async function runInContainer(
  socketPath: string,
  image: string,
  command: string[],
): Promise<string> {
  const json = (body: unknown) => ({ body: JSON.stringify(body), contentType: 'application/json' });
  const created = await engineRequest(
    socketPath,
    'POST',
    '/containers/create',
    json({ Image: image, Cmd: command, Tty: true, HostConfig: { NetworkMode: 'none' } }),
  );
  expect(created.status).toBe(201);
  const id = String(JSON.parse(created.body).Id);
  try {
    expect((await engineRequest(socketPath, 'POST', `/containers/${id}/start`)).status).toBe(204);
    const waited = await engineRequest(socketPath, 'POST', `/containers/${id}/wait`);
    expect(JSON.parse(waited.body).StatusCode).toBe(0);
    return (await engineRequest(socketPath, 'GET', `/containers/${id}/logs?stdout=1`)).body;
  } finally {
    await engineRequest(socketPath, 'DELETE', `/containers/${id}?force=1`);
  }
}

describe('startDockerEngine and ensureBaseImage', () => {
  let engine: RunningDockerEngine;
  beforeAll(async () => {
    engine = await start();
  }, 180_000);

  it('gives an engine that answers /_ping on its unix socket', async () => {
    expect(engine.dockerHost).toBe(`unix://${engine.socketPath}`);
    expect(await pingEngine(engine.socketPath)).toBe(true);
  });

  it('keeps layers with overlay2 where its data root can hold overlay mounts, else whole copies', async () => {
    const info = JSON.parse((await engineRequest(engine.socketPath, 'GET', '/info')).body) as {
      Driver: string;
    };
    if (!engine.private) {
      expect(info.Driver).not.toBe('');
      return;
    }
    expect(info.Driver).toMatch(expectedDriver(dirname(engine.socketPath)));
  });

  it('imports a base image without pulling, once, that runs sh -c "echo ok"', async () => {
    const id = await ensureBaseImage(engine.dockerHost);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await ensureBaseImage(engine.dockerHost)).toBe(id);
    const output = await runInContainer(engine.socketPath, BASE_IMAGE_TAG, ['sh', '-c', 'echo ok']);
    expect(output.trim()).toBe('ok');
  });

  it('makes an image under any tag asked for', async () => {
    const tag = 'hla-compass-test/other-base:2';
    const id = await ensureBaseImage(engine.dockerHost, tag);
    const inspected = await engineRequest(engine.socketPath, 'GET', `/images/${tag}/json`);
    expect(JSON.parse(inspected.body)).toMatchObject({ Id: id, RepoTags: [tag] });
    await engineRequest(engine.socketPath, 'DELETE', `/images/${tag}`);
  });
});

describe('private engines', () => {
  it('gives each of two concurrent callers its own engine, unless a shared one answers', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    if (a === undefined || b === undefined) throw new Error('two engines were asked for');
    expect(a.private).toBe(b.private);
    expect(new Set([a.socketPath, b.socketPath]).size).toBe(a.private ? 2 : 1);
    expect(await pingEngine(a.socketPath)).toBe(true);
    expect(await pingEngine(b.socketPath)).toBe(true);
  }, 180_000);

  it('stops a private engine and leaves no process, mount or file; a shared one keeps running', async () => {
    const engine = await startDockerEngine();
    const stateDir = dirname(engine.socketPath);
    await ensureBaseImage(engine.dockerHost);
    const pid = engine.private ? Number(await readFile(join(stateDir, 'docker.pid'), 'utf8')) : 0;
    await engine.stop();
    await engine.stop();
    if (!engine.private) {
      expect(await pingEngine(engine.socketPath)).toBe(true);
      return;
    }
    expect(await pingEngine(engine.socketPath)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(existsSync(stateDir)).toBe(false);
    expect(mountsBelow(await readFile('/proc/self/mountinfo', 'utf8'), stateDir)).toEqual([]);
  }, 180_000);
});

describe('the pieces', () => {
  it('reads the library paths of ldd output, skipping the vDSO', () => {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffd8e5f2000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f3c06684000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f3c0689b000)',
    ].join('\n');
    expect(parseLddOutput(output)).toEqual([
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('looks for a shared engine at DOCKER_HOST first, then the default socket', () => {
    expect(existingEngineSockets({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual([
      '/run/user/1000/docker.sock',
      '/var/run/docker.sock',
    ]);
    expect(existingEngineSockets({})).toEqual(['/var/run/docker.sock']);
  });

  it('keeps every piece of a private engine state below its directory', () => {
    const args = privateDaemonArguments('/tmp/hcd-abc');
    for (const flag of ['--data-root', '--exec-root', '--pidfile', '--config-file']) {
      expect(args[args.indexOf(flag) + 1]).toMatch(/^\/tmp\/hcd-abc\//);
    }
    expect(args).toContain('unix:///tmp/hcd-abc/docker.sock');
    expect(args).toEqual(expect.arrayContaining(['--iptables=false', '--bridge=none']));
    // dockerd picks its storage driver for the data root's file system (overlay2 where it works).
    expect(args.filter((arg) => arg.startsWith('--storage-driver'))).toEqual([]);
  });

  it('lists the mounts below a directory deepest first, with escaped spaces decoded', () => {
    const mountinfo = [
      '36 25 0:32 / /tmp/hcd-x/data rw shared:1 - tmpfs tmpfs rw',
      '37 36 0:33 / /tmp/hcd-x/data/containers/a/mounts/shm rw - tmpfs shm rw',
      '38 25 0:34 / /tmp/hcd-xy rw - tmpfs tmpfs rw',
      '39 25 0:35 / /tmp/hcd-x/with\\040space rw - tmpfs tmpfs rw',
    ].join('\n');
    expect(mountsBelow(mountinfo, '/tmp/hcd-x')).toEqual([
      '/tmp/hcd-x/data/containers/a/mounts/shm',
      '/tmp/hcd-x/with space',
      '/tmp/hcd-x/data',
    ]);
  });
});
