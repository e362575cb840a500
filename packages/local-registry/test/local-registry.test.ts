// The parts of running docker-registry that need no registry: its config, the /v2/ probe against
// real HTTP servers, and the three ways a start fails, with real programs that exit, stay silent
// or do not exist. A start that succeeds runs the real docker-registry in testkit's registry
// suites (and the emulator's `start`), which this package may not depend on.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findExecutable,
  probeRegistry,
  RegistryProgramError,
  registryConfig,
  startRegistryProgram,
} from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-registry-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

async function serving(status: number): Promise<{ origin: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(status).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('registryConfig', () => {
  it('quotes every path and address, and adds htpasswd auth only when asked', () => {
    const plain = registryConfig({ address: '127.0.0.1:5000', storageDir: '/tmp/a "b"' });
    expect(plain).toContain('    rootdirectory: "/tmp/a \\"b\\""\n');
    expect(plain).toContain('  addr: "127.0.0.1:5000"\n');
    expect(plain).toContain('  level: error\n');
    expect(plain).toContain('    disabled: true\n');
    expect(plain).toMatch(/ {2}secret: "[0-9a-f]{48}"\n/);
    expect(plain).not.toContain('auth:');
    const auth = registryConfig({
      address: '127.0.0.1:5001',
      storageDir: '/s',
      htpasswdFile: '/auth/htpasswd',
      logLevel: 'warn',
    });
    expect(auth).toContain(
      'auth:\n  htpasswd:\n    realm: hla-compass\n    path: "/auth/htpasswd"\n',
    );
    expect(auth).toContain('  level: warn\n');
    expect(auth).toContain('    disabled: false\n');
  });
});

describe('probeRegistry', () => {
  it('calls 200 and 401 a registry, any other answer something else, no answer nothing', async () => {
    for (const [status, answer] of [
      [200, 'registry'],
      [401, 'registry'],
      [404, 'other'],
    ] as const) {
      const { origin, server } = await serving(status);
      expect(await probeRegistry(origin), String(status)).toBe(answer);
      await new Promise((resolve) => server.close(resolve));
    }
    const { origin, server } = await serving(200);
    await new Promise((resolve) => server.close(resolve));
    expect(await probeRegistry(origin)).toBe('none');
  });
});

describe('findExecutable', () => {
  it('finds an executable file on the path it is given, and nothing else', async () => {
    const program = await script('findable', 'exit 0');
    await writeFile(join(dir, 'not-executable'), '');
    expect(await findExecutable('findable', `/nonexistent::${dir}`)).toBe(program);
    expect(await findExecutable('not-executable', dir)).toBeUndefined();
    expect(await findExecutable('findable', '/nonexistent')).toBeUndefined();
  });
});

describe('startRegistryProgram', () => {
  const options = (program: string, extra: { logFile?: string; timeoutMs?: number } = {}) => ({
    program,
    configPath: join(dir, 'config.yml'),
    address: '127.0.0.1:1',
    storageDir: join(dir, 'storage'),
    timeoutMs: extra.timeoutMs ?? 5_000,
    pollMs: 25,
    ...(extra.logFile === undefined ? {} : { logFile: extra.logFile }),
  });

  it('says what a program that exited printed, after writing the config it was given', async () => {
    const program = await script(
      'exits',
      'cat "$2" >/dev/null && echo "listen tcp 127.0.0.1:1: bind: address already in use" >&2; exit 1',
    );
    const error = await startRegistryProgram(options(program)).catch((caught) => caught);
    expect(error).toBeInstanceOf(RegistryProgramError);
    expect(error.reason).toBe('exited');
    expect(error.log).toMatch(/address already in use/);
    expect(error.message).toMatch(/^docker-registry exited with code 1:\n.*address already in use/);
    expect(await readFile(join(dir, 'config.yml'), 'utf8')).toContain('addr: "127.0.0.1:1"');
  });

  it('names the log file instead when the output goes there', async () => {
    const program = await script('exits-to-log', 'echo "it went wrong"; exit 3');
    const logFile = join(dir, 'registry.log');
    const error = await startRegistryProgram(options(program, { logFile })).catch(
      (caught) => caught,
    );
    expect(error.message).toBe(`docker-registry exited with code 3 (see ${logFile})`);
    expect(await readFile(logFile, 'utf8')).toBe('it went wrong\n');
  });

  it('stops a program that never answers, once the time is up', async () => {
    const pidFile = join(dir, 'silent.pid');
    const program = await script('silent', `echo $$ > ${JSON.stringify(pidFile)}; exec sleep 30`);
    const error = await startRegistryProgram(options(program, { timeoutMs: 300 })).catch(
      (caught) => caught,
    );
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(
      /^docker-registry did not answer http:\/\/127\.0\.0\.1:1\/v2\/ within 300 ms/,
    );
    // Stopped before the throw: the process is gone.
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('says why a program cannot be run', async () => {
    const error = await startRegistryProgram(options(join(dir, 'missing'))).catch(
      (caught) => caught,
    );
    expect(error.reason).toBe('spawn');
    expect(error.message).toMatch(/^cannot run docker-registry: .*ENOENT/);
  });
});
