// `hla-compass build` as users run it: the built CLI against a real Docker engine (testkit), in a
// sandboxed module made by `init`, with the local base image instead of the platform's.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canonicalize, type JsonObject, parseJson, unsignedManifest } from '@hla-compass/signing';
import { BASE_IMAGE_TAG } from '@hla-compass/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';
import {
  BUILD_FLAGS,
  BUILD_PLATFORM,
  type DockerWorld,
  initModule,
  runDocker,
  startDockerWorld,
} from './docker-world.js';

const git = promisify(execFile);

let world: DockerWorld;
let sandbox: Sandbox;
beforeAll(async () => {
  world = await startDockerWorld();
}, 180_000);
afterAll(() => world?.stop());
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(() => sandbox.cleanup());

async function writeFiles(dir: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** A file of an image, read through a container that is created, never started, and removed. */
async function fileInImage(image: string, path: string): Promise<string> {
  const container = await world.docker.createContainer({ Image: image, Cmd: ['/bin/sh'] });
  try {
    const archive = await container.getArchive({ path });
    const chunks: Buffer[] = [];
    for await (const chunk of archive) chunks.push(chunk as Buffer);
    // One file in a tar: its content follows the 512-byte header, its size is in the header.
    const tar = Buffer.concat(chunks);
    const size = Number.parseInt(tar.subarray(124, 136).toString('ascii').trim(), 8);
    return tar.subarray(512, 512 + size).toString('utf8');
  } finally {
    await container.remove({ force: true });
  }
}

async function canonicalManifestDigest(dir: string): Promise<string> {
  const manifest = parseJson(await readFile(join(dir, 'manifest.json'), 'utf8')) as JsonObject;
  const canonical = canonicalize(unsignedManifest(manifest));
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

describe('build', { timeout: 120_000 }, () => {
  it('builds an init module from a generated .hla-compass/Dockerfile, labelled and recorded', async () => {
    const dir = await initModule(sandbox, 'peptide-scorer');
    // A git checkout whose remote URL carries a token: the label must not.
    const gitEnv = { ...process.env, HOME: join(sandbox.dir, 'home') };
    const inModule = (...args: string[]) => git('git', ['-C', dir, ...args], { env: gitEnv });
    await inModule('init', '--quiet');
    await inModule(
      'remote',
      'add',
      'origin',
      'https://alice:ghp_not-a-label@example.com/lab/scorer.git',
    );
    await inModule('add', '.');
    await inModule('-c', 'user.name=T', '-c', 'user.email=t@example.org', 'commit', '-qm', 'init');
    const revision = (await inModule('rev-parse', 'HEAD')).stdout.trim();
    const committedAt = new Date(
      Number((await inModule('log', '-1', '--format=%ct')).stdout.trim()) * 1000,
    ).toISOString();

    const result = await runDocker(sandbox, world, dir, [
      'build',
      '--registry',
      world.namespace,
      ...BUILD_FLAGS,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const tag = `docker.io/${world.namespace}/peptide-scorer:0.1.0`;
    const output = JSON.parse(result.stdout);
    expect(output).toMatchObject({
      imageRef: tag,
      tags: [tag],
      baseImage: BASE_IMAGE_TAG,
      dockerfile: '.hla-compass/Dockerfile',
      dockerfileGenerated: true,
      platform: BUILD_PLATFORM,
      pushed: false,
      digest: null,
    });
    expect(result.stderr).toMatch(/^Step 1\/\d+ : FROM hla-compass-test\/base:1$/m);

    const dockerfile = await readFile(join(dir, '.hla-compass', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM hla-compass-test\/base:1$/m);
    expect(dockerfile).toContain('ADD .hla-compass/module.tar /');
    expect(dockerfile).not.toContain('pip install');

    const image = await world.docker.getImage(tag).inspect();
    const manifestDigest = await canonicalManifestDigest(dir);
    expect(output.imageId).toBe(image.Id);
    expect(output.manifestDigest).toBe(manifestDigest);
    expect(image.Config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'peptide-scorer',
      'org.opencontainers.image.version': '0.1.0',
      'org.opencontainers.image.revision': revision,
      'org.opencontainers.image.source': 'https://example.com/lab/scorer.git',
      'io.hla-compass.manifest.digest': manifestDigest,
    });
    // The module is as committed: created is the commit's time, never the wall clock.
    expect(image.Config.Labels['org.opencontainers.image.created']).toBe(committedAt);
    expect(output).toMatchObject({ created: committedAt, createdFrom: 'git commit' });
    expect(image.Config.Env).toContain('HLA_COMPASS_MODULE=backend.main:NoUIModule');
    expect(`${result.stdout}${result.stderr}`).not.toContain('ghp_not-a-label');

    expect(JSON.parse(await readFile(join(dir, '.hla-compass', 'build.json'), 'utf8'))).toEqual({
      version: 1,
      imageRef: tag,
      imageId: image.Id,
      digest: null,
      pushed: false,
      platform: BUILD_PLATFORM,
      manifestDigest,
      // The generated Dockerfile's last layer is the one holding the module's files.
      moduleLayer: image.RootFS.Layers?.at(-1),
      inputsDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      // What the next build of the same inputs answers from without building (fast-path.ts).
      reuse: {
        stamp: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        baseImage: BASE_IMAGE_TAG,
        baseImageId: (await world.docker.getImage(BASE_IMAGE_TAG).inspect()).Id,
        tags: [tag],
        created: committedAt,
        createdFrom: 'git commit',
        warnings: [],
      },
      builtAt: expect.any(String),
      pushedAt: null,
    });
  });

  it("uses the module's own Dockerfile, labels its image, and sends a context without the excluded paths", async () => {
    const dir = await initModule(sandbox, 'context-lister');
    await writeFiles(dir, {
      Dockerfile: [
        `FROM ${BASE_IMAGE_TAG}`,
        'COPY . /ctx',
        // dash has no find: list the tree with a recursive shell function.
        `RUN walk() { for f in "$1"/* "$1"/.*; do case "\${f##*/}" in . | .. | '*' | '.*') continue ;; esac; echo "ctx:\${f#/ctx/}"; if [ -d "$f" ]; then walk "$f"; fi; done; }; walk /ctx`,
        '',
      ].join('\n'),
      '.dockerignore': '# ours\nsecrets\n**/*.log\n',
      'secrets/token.txt': 'never in an image\n',
      'backend/run.log': 'noise\n',
      'backend/__pycache__/main.cpython-311.pyc': 'bytecode',
      'node_modules/left-pad/index.js': 'module.exports = 1;\n',
      'frontend/node_modules/react/index.js': 'module.exports = 2;\n',
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.hla-compass/notes.txt': 'local state\n',
      'docs/guide.md': '# kept\n',
    });

    const result = await runDocker(sandbox, world, dir, [
      'build',
      '--tag',
      `${world.namespace}/lister:1`,
      ...BUILD_FLAGS,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const listed = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('ctx:'))
      .map((line) => line.slice('ctx:'.length))
      .sort();
    expect(listed).toEqual(
      [
        '.dockerignore',
        'Dockerfile',
        'README.md',
        'backend',
        'backend/__init__.py',
        'backend/main.py',
        'backend/requirements.txt',
        'docs',
        'docs/guide.md',
        'examples',
        'examples/sample_input.json',
        // Its node_modules/ is left out; the directory itself stays, as with `docker build`.
        'frontend',
        '.gitignore',
        'manifest.json',
        'manifest.schema.json',
      ].sort(),
    );
    expect(
      await stat(join(dir, '.hla-compass', 'Dockerfile')).catch(() => undefined),
    ).toBeUndefined();
    const image = await world.docker.getImage(`${world.namespace}/lister:1`).inspect();
    expect(image.Config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'context-lister',
      'io.hla-compass.manifest.digest': await canonicalManifestDigest(dir),
    });
    expect(result.stdout).toContain('dockerfile  Dockerfile\n');
  });

  it('copies the built UI of a with-ui module into the image', async () => {
    const dir = await initModule(sandbox, 'peptide-viewer', 'with-ui');
    await writeFiles(dir, { 'frontend/dist/bundle.js': 'window.ModuleUI = {};\n' });
    const result = await runDocker(sandbox, world, dir, [
      'build',
      '--tag',
      `${world.namespace}/viewer:1`,
      ...BUILD_FLAGS,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(await fileInImage(`${world.namespace}/viewer:1`, '/app/ui/dist/bundle.js')).toBe(
      'window.ModuleUI = {};\n',
    );
  });

  it('fails with exit 1 naming the step when a RUN step fails', async () => {
    const dir = await initModule(sandbox, 'broken-step');
    await writeFiles(dir, {
      Dockerfile: `FROM ${BASE_IMAGE_TAG}\nRUN echo about to fail && exit 3\n`,
    });
    const result = await runDocker(sandbox, world, dir, [
      'build',
      '--tag',
      `${world.namespace}/broken:1`,
      ...BUILD_FLAGS,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('about to fail\n');
    expect(result.stderr).toMatch(
      /^error: the image build failed at Step 2\/\d+ : RUN echo about to fail && exit 3: .*returned a non-zero code: 3$/m,
    );
    expect(
      await stat(join(dir, '.hla-compass', 'build.json')).catch(() => undefined),
    ).toBeUndefined();
  });

  it('refuses an invalid manifest with exit 2 before any Docker call', async () => {
    const dir = await initModule(sandbox, 'bad-version');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ ...manifest, version: 'one' }));
    const result = await sandbox.run(['build', '--tag', 'local/bad:1', '--json'], {
      cwd: dir,
      env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('manifest.json is invalid');
    expect(result.stderr).toMatch(/\/version: /);
    const error = JSON.parse(result.stdout).error;
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.details.issues).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: '/version', severity: 'error' })]),
    );
  });

  it('reports a missing engine with exit 4, naming the socket and how to start Docker', async () => {
    const dir = await initModule(sandbox, 'no-engine');
    const result = await sandbox.run(['build', '--tag', 'local/x:1'], {
      cwd: dir,
      env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'error: cannot reach the Docker engine at unix:///nonexistent.sock: there is no engine socket there',
    );
    expect(result.stderr).toMatch(/^hint: start Docker/m);
  });

  it.each([
    [['--tag', 'Local/Upper:1'], /invalid image reference/],
    [['--registry', 'https://ghcr.io/your-org'], /invalid image reference/],
    [['--tag', 'a/b:1', '--registry', 'ghcr.io/x'], /give --tag or --registry, not both/],
    [[], /no image tag: pass --registry or --tag/],
    [['--tag', 'a/b:1', '--platform', 'amd64'], /--platform must be os\/arch/],
  ])('refuses %j with exit 2 before building', async (args, message) => {
    const dir = await initModule(sandbox, 'bad-flags');
    const result = await sandbox.run(['build', ...args], {
      cwd: dir,
      env: { DOCKER_HOST: 'unix:///nonexistent.sock' },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
