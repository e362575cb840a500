import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packInstalled, productionClosure, runProcess } from '../src/index.js';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** A package dir at `dir` with this package.json. */
async function writePackage(dir: string, manifest: Record<string, unknown>): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify(manifest));
}

/** pnpm's layout: `.pnpm/<name>@<version>/node_modules/<name>`, its dependencies linked beside it. */
async function pnpmLayout(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'testkit-closure-'));
  roots.push(root);
  const store = join(root, 'node_modules', '.pnpm');
  const installed = (name: string, version: string) =>
    join(store, `${name.replace('/', '+')}@${version}`, 'node_modules', name);
  const link = async (from: string, name: string, target: string) => {
    const path = join(from, 'node_modules', name);
    await mkdir(dirname(path), { recursive: true });
    await symlink(target, path);
  };
  await writePackage(installed('lib', '1.0.0'), {
    name: 'lib',
    version: '1.0.0',
    dependencies: { helper: '^2.0.0' },
    optionalDependencies: { 'not-installed': '1.0.0' },
    peerDependencies: { '@scope/peer': '*', 'optional-peer': '*' },
    peerDependenciesMeta: { 'optional-peer': { optional: true } },
  });
  await writePackage(installed('helper', '2.1.0'), { name: 'helper', version: '2.1.0' });
  await writePackage(installed('@scope/peer', '3.0.0'), { name: '@scope/peer', version: '3.0.0' });
  // lib's dependencies sit beside it in its .pnpm dir.
  const libStore = join(store, 'lib@1.0.0');
  await link(libStore, 'helper', installed('helper', '2.1.0'));
  await link(libStore, '@scope/peer', installed('@scope/peer', '3.0.0'));
  // A workspace package (outside any node_modules) and a dev dependency never walked.
  const app = join(root, 'apps', 'app');
  await writePackage(app, {
    name: 'app',
    version: '0.1.0',
    dependencies: { lib: '1.0.0', shared: 'workspace:*' },
    devDependencies: { 'dev-only': '1.0.0' },
  });
  const shared = join(root, 'packages', 'shared');
  await writePackage(shared, { name: 'shared', version: '0.1.0', dependencies: { lib: '1.0.0' } });
  await writePackage(installed('dev-only', '1.0.0'), { name: 'dev-only', version: '1.0.0' });
  await link(app, 'lib', installed('lib', '1.0.0'));
  await link(app, 'shared', shared);
  await link(app, 'dev-only', installed('dev-only', '1.0.0'));
  await link(shared, 'lib', installed('lib', '1.0.0'));
  return root;
}

describe('the runtime closure of a workspace package', () => {
  it('lists the installed third-party packages reachable by dependencies and required peers, once each, through workspace packages', async () => {
    const root = await pnpmLayout();
    const closure = await productionClosure([join(root, 'apps', 'app')]);
    expect(closure.map(({ name, version }) => `${name}@${version}`)).toEqual([
      '@scope/peer@3.0.0',
      'helper@2.1.0',
      'lib@1.0.0',
    ]);
    for (const installed of closure) expect(installed.dir).toContain(join('node_modules', '.pnpm'));
  });

  it('refuses a required dependency that is not installed', async () => {
    const root = await pnpmLayout();
    const broken = join(root, 'apps', 'broken');
    await writePackage(broken, { name: 'broken', version: '0.1.0', dependencies: { gone: '1' } });
    await expect(productionClosure([broken])).rejects.toThrow(
      'broken needs gone, which is not installed beside it',
    );
  });

  it('packs each installed package as npm packs it, and a second time takes them from the cache without packing', async () => {
    const root = await pnpmLayout();
    const closure = await productionClosure([join(root, 'apps', 'app')]);
    const cacheDir = join(root, 'cache');
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root };
    const first = await packInstalled(closure, join(root, 'first'), env, { cacheDir });
    expect(first.map((tarball) => tarball.startsWith(join(root, 'first')))).toEqual([
      true,
      true,
      true,
    ]);
    const listed = await runProcess('tar', ['-tzf', first[0] as string]);
    expect(listed.stdout.trim().split('\n')).toEqual(['package/package.json']);
    // No npm on PATH the second time: only the cache can answer.
    const second = await packInstalled(closure, join(root, 'second'), { PATH: '' }, { cacheDir });
    expect(second).toEqual([
      join(cacheDir, '@scope+peer@3.0.0.tgz'),
      join(cacheDir, 'helper@2.1.0.tgz'),
      join(cacheDir, 'lib@1.0.0.tgz'),
    ]);
  });
});
