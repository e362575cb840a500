// A full disk under the emulator, for real: its data dir on a small tmpfs, filled to ENOSPC. A
// publish is answered 507 STORAGE_FULL once (no blind retries: a fault proxy in front of the
// platform counts the attempts), the CLI exits 4 saying what to do, reads still answer, and once
// space is freed the same publish goes through.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type FaultProxy, startFaultProxy } from '@hla-compass/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedOutput, createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { login } from './sandbox-config.js';

let mountPoint: string;
let mounted = false;
let world: PublishingWorld | undefined;
let proxy: FaultProxy | undefined;
let sandbox: Sandbox | undefined;

beforeAll(async () => {
  mountPoint = await mkdtemp(join(tmpdir(), 'hla-full-disk-'));
  // Tests run as root here and in CI; a mount that fails fails the suite (never a skip).
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', mountPoint], {
      stdio: 'pipe',
    });
  } catch (error) {
    throw new Error(
      `this suite needs a real full disk: mounting a 16 MiB tmpfs on ${mountPoint} failed (run the tests as root): ${String(error)}`,
    );
  }
  mounted = true;
  world = await startPublishingWorld({ emulatorParentDir: mountPoint });
  proxy = await startFaultProxy({ upstream: world.emulator.url });
  sandbox = await createSandbox();
  await mkdir(sandbox.configDir, { recursive: true, mode: 0o700 });
  await writeFile(
    join(sandbox.configDir, 'config.json'),
    JSON.stringify({ environments: { dev: { apiUrl: `${proxy.url}/dev` } } }),
  );
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  // The emulator holds its databases open on the tmpfs: it stops before the unmount.
  await world?.stop();
  await sandbox?.cleanup();
  if (mounted) execFileSync('umount', [mountPoint]);
  await rm(mountPoint, { recursive: true, force: true });
  const secrets = world?.secrets() ?? [];
  for (const output of capturedOutput)
    for (const secret of secrets) expect(output).not.toContain(secret);
});

/** Writes zeros until the file system says ENOSPC; returns the filler's path. */
function fillDisk(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return file;
}

const publishes = () =>
  (proxy?.requests ?? []).filter(
    (request) => request.method === 'POST' && request.path === '/dev/v1/modules/publish',
  );

describe('a full disk under the platform', () => {
  it('is 507 STORAGE_FULL once (exit 4, what to do), reads still answer, and the publish goes through once space is freed', async () => {
    if (world === undefined || sandbox === undefined) throw new Error('beforeAll failed');
    await login(sandbox, world.users.developer, 'dev');
    expect((await sandbox.run(['init', 'full-disk'])).code).toBe(0);
    const moduleDir = join(sandbox.dir, 'full-disk');
    const digest = await world.pushImage(`${world.plain.host}/your-org/full-disk:0.1.0`);

    const filler = fillDisk(mountPoint);
    const refused = await sandbox.run(['publish', '--env', 'dev'], { cwd: moduleDir });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("error: Storage full: the platform's disk is full");
    expect(refused.stderr).toContain("hint: nothing was written. The platform's storage is full");
    expect(refused.stderr).not.toContain('retrying');
    expect(publishes()).toHaveLength(1);

    const listed = await sandbox.run(['modules', 'list', '--env', 'dev', '--json']);
    expect(listed.code).toBe(0);
    const { modules } = JSON.parse(listed.stdout) as { modules: { moduleName: string }[] };
    expect(modules.map((module) => module.moduleName)).not.toContain('full-disk');
    const reads = (proxy?.requests ?? []).filter((request) => request.method === 'GET');
    expect(reads.at(-1)?.path).toMatch(/^\/dev\/v1\/modules(\?|$)/);

    await rm(filler);
    const published = await sandbox.run(['publish', '--env', 'dev', '--json'], { cwd: moduleDir });
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({
      state: 'APPROVED',
      image: { digest },
    });
    expect(publishes()).toHaveLength(2);
  });
});
