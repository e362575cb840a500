// The fast path of an unchanged build and push (src/fast-path.ts): it answers exactly as the full
// command does, and only when nothing the image depends on changed. The built CLI against a real
// engine, a real registry behind the fault proxy (to count what a push asks) and a real git
// checkout. The full command is told apart by what only it does: it writes the generated
// Dockerfile again ("Generated …"), and asks the registry more than one HEAD.
import { execFileSync } from 'node:child_process';
import { appendFile, chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BASE_IMAGE_TAG,
  type FaultProxy,
  type RunningRegistry,
  startFaultProxy,
  startRegistry,
} from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildArguments } from '../src/fast-build.js';
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
  proxy = await startFaultProxy({ upstream: registry.url });
  world.removeOnStop(`${proxy.host}/`);
}, 180_000);
afterAll(async () => {
  await proxy?.close();
  await Promise.all([world?.stop(), registry?.stop()]);
});
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(() => sandbox.cleanup());

const GENERATED = 'Generated .hla-compass/Dockerfile';

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.org', ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: sandbox.dir,
      GIT_AUTHOR_DATE: '2026-03-04T05:06:07Z',
      GIT_COMMITTER_DATE: '2026-03-04T05:06:07Z',
    },
    stdio: 'ignore',
  });
}

async function checkout(name: string): Promise<string> {
  const dir = await initModule(sandbox, name);
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'first');
  return dir;
}

function run(dir: string, args: readonly string[], env: Record<string, string> = {}) {
  return runDocker(sandbox, world, dir, args, { env });
}

async function record(dir: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(dir, '.hla-compass', 'build.json'), 'utf8'));
}

describe('the fast path of an unchanged build', { timeout: 240_000 }, () => {
  it('answers as the full build does, text and JSON, and records the build', async () => {
    const dir = await checkout('fast-same');
    const tag = `${proxy.host}/your-org/fast-same:1.0.0`;
    const args = ['build', '--tag', tag, ...BUILD_FLAGS];
    const first = await run(dir, args);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(GENERATED);
    const builtAt = (await record(dir)).builtAt;

    const fast = await run(dir, args);
    expect(fast.code, fast.stderr).toBe(0);
    expect(fast.stderr).not.toContain(GENERATED);
    expect(fast.stdout).toContain(`✓ ${tag} is up to date: the same sources gave the same image`);
    expect((await record(dir)).builtAt).not.toBe(builtAt);
    // --verbose is not a fast-path flag: the full command, which must say the same.
    const full = await run(dir, [...args, '--verbose']);
    expect(full.stderr).toContain(GENERATED);
    expect(full.stdout).toBe(fast.stdout);

    const fastJson = await run(dir, [...args, '--json']);
    const fullJson = await run(dir, [...args, '--json', '--verbose']);
    expect(fastJson.stderr).not.toContain(GENERATED);
    expect(fullJson.stderr).toContain(GENERATED);
    expect(JSON.parse(fastJson.stdout)).toEqual(JSON.parse(fullJson.stdout));
    expect(JSON.parse(fastJson.stdout)).toMatchObject({
      upToDate: true,
      createdFrom: 'git commit',
    });
  });

  it('leaves every change to the image inputs to the full build', async () => {
    const dir = await checkout('fast-changes');
    const tag = `${proxy.host}/your-org/fast-changes:1.0.0`;
    const build = async (extra: readonly string[] = [], env: Record<string, string> = {}) => {
      const result = await run(
        dir,
        ['build', '--tag', tag, ...BUILD_FLAGS, ...extra, '--json'],
        env,
      );
      expect(result.code, result.stderr).toBe(0);
      return {
        full: result.stderr.includes(GENERATED),
        ...(JSON.parse(result.stdout) as {
          imageId: string;
          upToDate: boolean;
          createdFrom: string;
        }),
      };
    };
    const first = await build();
    expect(await build()).toMatchObject({ full: false, imageId: first.imageId });

    // A changed source file: a new image, then fast again.
    await appendFile(join(dir, 'backend', 'main.py'), '\n# changed\n');
    const edited = await build();
    expect(edited).toMatchObject({ full: true, upToDate: false, createdFrom: 'content' });
    expect(edited.imageId).not.toBe(first.imageId);
    expect(await build()).toMatchObject({ full: false, imageId: edited.imageId });

    // The change committed: same files, but the image's time and revision come from git now.
    git(dir, 'commit', '-qam', 'second');
    const committed = await build();
    expect(committed).toMatchObject({ full: true, createdFrom: 'git commit' });
    expect(committed.imageId).not.toBe(edited.imageId);

    // An untracked file the context leaves out still makes the checkout dirty.
    await appendFile(join(dir, '.dockerignore'), 'notes.txt\n');
    git(dir, 'commit', '-qam', 'ignore notes');
    expect(await build()).toMatchObject({ full: true, createdFrom: 'git commit' });
    await writeFile(join(dir, 'notes.txt'), 'not in the image\n');
    expect(await build()).toMatchObject({ full: true, createdFrom: 'content' });

    // The execute bit is the one mode bit an image keeps.
    await chmod(join(dir, 'backend', 'main.py'), 0o755);
    const executable = await build();
    expect(executable.full).toBe(true);
    expect(await build()).toMatchObject({ full: false, imageId: executable.imageId });

    // The options and the environment the build reads.
    expect(await build([], { SOURCE_DATE_EPOCH: '1700000000' })).toMatchObject({
      full: true,
      createdFrom: 'SOURCE_DATE_EPOCH',
    });
    expect((await build(['--tag', `${proxy.host}/your-org/fast-changes:also`])).full).toBe(true);

    // The engine: the base tag names another image now, or the tag was removed.
    await build();
    expect((await build()).full).toBe(false);
    const [baseRepo = '', baseTag = ''] = BASE_IMAGE_TAG.split(':');
    const container = await world.docker.createContainer({
      Image: BASE_IMAGE_TAG,
      Cmd: ['/bin/sh'],
    });
    const previousBase = (await world.docker.getImage(BASE_IMAGE_TAG).inspect()).Id;
    await container.commit({ repo: baseRepo, tag: baseTag, changes: ['ENV FAST_PATH_TEST=1'] });
    await container.remove();
    try {
      const rebased = await build();
      expect(rebased.full).toBe(true);
      expect(rebased.upToDate).toBe(false);
    } finally {
      await world.docker.getImage(previousBase).tag({ repo: baseRepo, tag: baseTag });
    }
    await build();
    await world.docker.getImage(tag).remove();
    expect(await build()).toMatchObject({ full: true });
  });
});

describe('the fast path of a push the registry already has', { timeout: 240_000 }, () => {
  it('asks the registry one HEAD, answers as the full push does, and records the push', async () => {
    const dir = await checkout('fast-push');
    const tag = `${proxy.host}/your-org/fast-push:1.0.0`;
    expect((await run(dir, ['build', '--tag', tag, ...BUILD_FLAGS])).code).toBe(0);
    const pushed = await run(dir, ['push', '--json']);
    expect(pushed.code, pushed.stderr).toBe(0);
    const digest = JSON.parse(pushed.stdout).digest as string;
    const pushedAt = (await record(dir)).pushedAt;

    // What Node loaded for it beyond what it loads for an empty ES module, written at exit by a
    // preload: none of the modules whose loading costs more than the no-op push itself (http1.ts;
    // node:crypto was 5.4 ms of 60 on Node 24, node:fs/promises 1.6 ms; Node 20 has the latter
    // in its start-up).
    const preload = join(sandbox.dir, 'loaded-modules.cjs');
    await writeFile(
      preload,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.LOADED_FILE, JSON.stringify(process.moduleLoadList)));\n",
    );
    const loadedBy = async (file: string) =>
      new Set(JSON.parse(await readFile(file, 'utf8')) as string[]);
    const emptyModule = join(sandbox.dir, 'empty.mjs');
    await writeFile(emptyModule, '');
    const emptyList = join(sandbox.dir, 'loaded-empty.json');
    execFileSync(process.execPath, ['--require', preload, emptyModule], {
      env: { ...process.env, LOADED_FILE: emptyList },
    });
    const pushList = join(sandbox.dir, 'loaded-push.json');
    const before = proxy.requests.length;
    const fast = await run(dir, ['push', '--json'], {
      NODE_OPTIONS: `--require ${preload}`,
      LOADED_FILE: pushList,
    });
    expect(fast.code, fast.stderr).toBe(0);
    expect(proxy.requests.slice(before).map((request) => request.method)).toEqual(['HEAD']);
    const empty = await loadedBy(emptyList);
    const extra = [...(await loadedBy(pushList))].filter((name) => !empty.has(name));
    expect(
      extra.filter((name) =>
        /^NativeModule (crypto|https|tls|zlib|internal\/deps\/undici\/undici|internal\/fs\/promises)$/.test(
          name,
        ),
      ),
    ).toEqual([]);
    const full = await run(dir, ['push', '--json', '--verbose']);
    expect(JSON.parse(fast.stdout)).toEqual(JSON.parse(full.stdout));
    expect(JSON.parse(fast.stdout)).toMatchObject({ pushed: false, digest, recorded: true });
    expect((await record(dir)).pushedAt).not.toBe(pushedAt);

    // Another image under the tag at the registry (the base image, pushed there by a full
    // push): the fast path steps aside, and the full push sends this module's image again.
    const ours = (await record(dir)).imageId as string;
    const repository = tag.slice(0, tag.lastIndexOf(':'));
    await world.docker.getImage(BASE_IMAGE_TAG).tag({ repo: repository, tag: '1.0.0' });
    expect((await run(dir, ['push', tag])).code).toBe(0);
    await world.docker.getImage(ours).tag({ repo: repository, tag: '1.0.0' });
    const since = proxy.requests.length;
    const again = await run(dir, ['push', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ pushed: true, digest, recorded: true });
    expect(proxy.requests.slice(since).some((request) => request.method === 'PUT')).toBe(true);
  });
});

describe('the fast path reads only the flags it knows', () => {
  it('takes --tag (repeated, listed, inline), --registry, --base-image, --platform and --json', () => {
    expect(buildArguments(['--tag', 'a', 'b', '--tag=c', '--json'])).toEqual({
      tags: ['a', 'b', 'c'],
      registry: undefined,
      baseImage: undefined,
      platform: undefined,
      json: true,
    });
    expect(
      buildArguments(['--registry=r', '--base-image', 'x:1', '--platform', 'linux/arm64']),
    ).toMatchObject({ tags: [], registry: 'r', baseImage: 'x:1', platform: 'linux/arm64' });
  });

  it('leaves anything else to the full command', () => {
    for (const args of [
      ['--tag', 'a', '--push'],
      ['--tag', 'a', '--no-cache'],
      ['--tag', 'a', '--env', 'dev'],
      ['--tag', 'a', '--verbose'],
      ['--tag', 'a', '--help'],
      ['--tag'],
      ['--tag', '--json'],
      ['--registry'],
      ['--registry', 'a', '--registry', 'b'],
      ['--json=yes', '--tag', 'a'],
      ['stray'],
    ]) {
      expect(buildArguments(args), args.join(' ')).toBeUndefined();
    }
  });
});
