// scripts/registry-auth-htpasswd.sh, the user file of the password registry (registry-auth in
// docker-compose.yml): written where REGISTRY_AUTH_DIR says, and taken by the docker-registry
// program started as the README shows (the compose service's variables, no image pulled).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianPackages } from '../src/debian.js';
import { findExecutable } from '../src/executables.js';
import { freePort, LOOPBACK_HOST } from '../src/ports.js';

const run = promisify(execFile);
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCRIPT = join(REPOSITORY_ROOT, 'scripts', 'registry-auth-htpasswd.sh');
/** The configuration Debian's docker-registry package installs, which the variables override. */
const DEBIAN_CONFIG = '/etc/docker/registry/config.yml';
const USER = { username: 'script-user', password: 'script-test-password-3' };

let workDir: string;

beforeAll(async () => {
  const needed = [
    ...((await findExecutable('docker-registry')) ? [] : ['docker-registry']),
    ...((await findExecutable('htpasswd')) ? [] : ['apache2-utils']),
  ];
  if (needed.length > 0) {
    await ensureDebianPackages(needed, { reason: 'the registry-auth-htpasswd.sh tests' });
  }
  workDir = await mkdtemp(join(tmpdir(), 'hla-compass-registry-auth-'));
}, 180_000);

afterAll(() => rm(workDir, { recursive: true, force: true }));

function runScript(authDir: string) {
  return run('sh', [SCRIPT], {
    env: {
      ...process.env,
      REGISTRY_AUTH_DIR: authDir,
      REGISTRY_AUTH_USER: USER.username,
      REGISTRY_AUTH_PASSWORD: USER.password,
    },
  });
}

describe('registry-auth-htpasswd.sh', () => {
  it('writes the user file into REGISTRY_AUTH_DIR', async () => {
    const authDir = join(workDir, 'absolute');
    const { stdout } = await runScript(authDir);
    expect(stdout).toContain(join(authDir, 'htpasswd'));
    expect(await readFile(join(authDir, 'htpasswd'), 'utf8')).toMatch(
      new RegExp(`^${USER.username}:\\$2[aby]\\$\\d\\d\\$.{53}\\n$`),
    );
  });

  it('takes a relative REGISTRY_AUTH_DIR from the repository root, as docker compose does', async () => {
    // Under .data/, which is git-ignored, and removed at once (.data/ too when it was not there).
    const data = join(REPOSITORY_ROOT, '.data');
    const hadData = existsSync(data);
    const relative = `.data/test-registry-auth-${randomBytes(4).toString('hex')}`;
    try {
      await runScript(relative);
      const entry = await readFile(join(REPOSITORY_ROOT, relative, 'htpasswd'), 'utf8');
      expect(entry.startsWith(`${USER.username}:$2`)).toBe(true);
    } finally {
      await rm(join(REPOSITORY_ROOT, relative), { recursive: true, force: true });
      // rmdir, not rm: it leaves a .data/ that something else has written to meanwhile.
      if (!hadData) await rmdir(data).catch(() => undefined);
    }
  });

  describe('docker-registry with the file, started with the compose service variables', () => {
    let registry: ChildProcess | undefined;
    let url: string;

    beforeAll(async () => {
      const authDir = join(workDir, 'served');
      await runScript(authDir);
      const port = await freePort();
      url = `http://${LOOPBACK_HOST}:${port}`;
      const program = (await findExecutable('docker-registry')) ?? 'docker-registry';
      registry = spawn(program, ['serve', DEBIAN_CONFIG], {
        env: {
          ...process.env,
          REGISTRY_HTTP_ADDR: `${LOOPBACK_HOST}:${port}`,
          REGISTRY_AUTH: 'htpasswd',
          REGISTRY_AUTH_HTPASSWD_REALM: 'hla-compass-registry-auth',
          REGISTRY_AUTH_HTPASSWD_PATH: join(authDir, 'htpasswd'),
          REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: join(workDir, 'storage'),
          REGISTRY_STORAGE_DELETE_ENABLED: 'true',
        },
        stdio: 'ignore',
      });
      await answering(url, registry);
    }, 30_000);

    afterAll(async () => {
      if (registry === undefined || registry.exitCode !== null) return;
      const exited = new Promise((resolve) => registry?.once('exit', resolve));
      registry.kill('SIGTERM');
      await exited;
    });

    it('asks for a password, refuses a wrong one and takes the one the script was given', async () => {
      const status = async (password?: string) => {
        const headers: Record<string, string> =
          password === undefined
            ? {}
            : {
                authorization: `Basic ${Buffer.from(`${USER.username}:${password}`).toString('base64')}`,
              };
        const response = await fetch(`${url}/v2/`, { headers });
        await response.body?.cancel();
        return response.status;
      };
      expect(await status()).toBe(401);
      expect(await status('wrong-password')).toBe(401);
      expect(await status(USER.password)).toBe(200);
    });
  });
});

/** Waits until the registry answers /v2/ (with anything), failing when it exits first. */
async function answering(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}`);
    const answered = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => {
        await response.body?.cancel();
        return true;
      },
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not answer ${url}/v2/ within 15 s`);
}
