import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { binaryHostVariable, runProcess, startPrebuildHost } from '../src/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function builtAddon(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'testkit-prebuild-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'native-thing', version: '1.2.3' }),
  );
  await mkdir(join(dir, 'build', 'Release'), { recursive: true });
  await writeFile(join(dir, 'build', 'Release', 'native_thing.node'), 'the addon');
  await writeFile(join(dir, 'build', 'Release', 'test_extension.node'), 'not an addon');
  return dir;
}

describe('the prebuild host', () => {
  it("serves the addon alone at prebuild-install's mirror path for this Node's ABI", async () => {
    const packageDir = await builtAddon();
    const host = await startPrebuildHost({ packageDir, addon: 'build/Release/native_thing.node' });
    cleanups.push(() => host.stop());
    const asset = `native-thing-v1.2.3-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
    expect(host.tarballPath).toBe(`/v1.2.3/${asset}`);
    expect(host.environmentVariable).toBe('npm_config_native_thing_binary_host');
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const response = await fetch(`${host.url}${host.tarballPath}`);
    expect(response.status).toBe(200);
    const downloaded = join(packageDir, asset);
    await writeFile(downloaded, Buffer.from(await response.arrayBuffer()));
    const listed = await runProcess('tar', ['-tzf', downloaded]);
    expect(listed.stdout.trim().split('\n')).toEqual(['build/Release/native_thing.node']);

    const other = await fetch(`${host.url}/v1.2.3/other.tar.gz`);
    expect(other.status).toBe(404);
    await other.body?.cancel();
  });

  it('refuses a package whose addon was never built', async () => {
    const packageDir = await builtAddon();
    await expect(
      startPrebuildHost({ packageDir, addon: 'build/Release/missing.node' }),
    ).rejects.toThrow("has no build/Release/missing.node: was native-thing's install script run?");
  });

  it("names the variable as prebuild-install derives it from the package's name", () => {
    expect(binaryHostVariable('better-sqlite3')).toBe('npm_config_better_sqlite3_binary_host');
    expect(binaryHostVariable('@scope/addon')).toBe('npm_config_scope_addon_binary_host');
  });
});
