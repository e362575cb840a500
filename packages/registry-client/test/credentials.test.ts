import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialHelperError,
  DOCKER_HUB_CONFIG_KEY,
  DockerConfigError,
  dockerConfigPath,
  resolveDockerCredentials,
} from '../src/index.js';

let root: string;
let binDir: string;
let configDir: string;
let helperLog: string;
let env: Record<string, string | undefined>;

const basicAuth = (user: string, password: string) =>
  Buffer.from(`${user}:${password}`).toString('base64');

async function helper(name: string, body: string): Promise<void> {
  const path = join(binDir, `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

async function writeConfig(config: unknown): Promise<void> {
  await writeFile(
    join(configDir, 'config.json'),
    typeof config === 'string' ? config : JSON.stringify(config),
  );
}

async function askedServers(): Promise<string[]> {
  const text = await readFile(helperLog, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'registry-client-credentials-'));
  binDir = join(root, 'bin');
  configDir = join(root, 'docker');
  helperLog = join(root, 'helper.log');
  await mkdir(binDir);
  await mkdir(configDir);
  // Answers like a real helper: JSON for what it knows, "credentials not found" otherwise.
  await helper(
    'fake',
    `[ "$1" = get ] || exit 2
read -r server
printf '%s\\n' "$server" >> "$FAKE_HELPER_LOG"
case "$server" in
  ghcr.io) echo '{"ServerURL":"ghcr.io","Username":"helper-user","Secret":"helper-secret"}' ;;
  ${DOCKER_HUB_CONFIG_KEY}) echo '{"ServerURL":"hub","Username":"hub-user","Secret":"hub-secret"}' ;;
  token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"refresh-xyz"}' ;;
  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac`,
  );
  await helper('store', `read -r server\necho '{"Username":"store-user","Secret":"store-secret"}'`);
  await helper('slow', 'exec sleep 30');
  await helper('garbled', `read -r server\necho 'Secret leaked-secret not json'`);
  await helper('failing', `read -r server\necho 'boom: keychain locked' >&2\nexit 3`);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

beforeEach(async () => {
  env = {
    DOCKER_CONFIG: configDir,
    PATH: `${binDir}:${process.env.PATH}`,
    FAKE_HELPER_LOG: helperLog,
  };
  await rm(helperLog, { force: true });
  await rm(join(configDir, 'config.json'), { force: true });
});

describe('the Docker config file', () => {
  it('is $DOCKER_CONFIG/config.json when set, else ~/.docker/config.json', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/d' }, '/home/u')).toBe('/d/config.json');
    expect(dockerConfigPath({}, '/home/u')).toBe('/home/u/.docker/config.json');
  });

  it('is read from the home directory when DOCKER_CONFIG is unset', async () => {
    const home = join(root, 'home');
    await mkdir(join(home, '.docker'), { recursive: true });
    await writeFile(
      join(home, '.docker', 'config.json'),
      JSON.stringify({ auths: { 'ghcr.io': { auth: basicAuth('home-user', 'home-pass') } } }),
    );
    const resolved = await resolveDockerCredentials('ghcr.io', {
      env: { PATH: env.PATH },
      homeDir: home,
    });
    expect(resolved.credentials).toEqual({
      kind: 'basic',
      username: 'home-user',
      password: 'home-pass',
    });
  });

  it('gives no credentials when there is no config', async () => {
    expect(await resolveDockerCredentials('ghcr.io', { env })).toEqual({ source: 'none' });
  });

  it('refuses a config that is not JSON, without quoting it', async () => {
    await writeConfig('{"auths": {"ghcr.io": {"auth": "c2VjcmV0"');
    const error = await resolveDockerCredentials('ghcr.io', { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DockerConfigError);
    expect((error as Error).message).not.toContain('c2VjcmV0');
  });

  it('refuses an auth field that is not base64 of user:password', async () => {
    await writeConfig({
      auths: { 'ghcr.io': { auth: Buffer.from('no-colon').toString('base64') } },
    });
    await expect(resolveDockerCredentials('ghcr.io', { env })).rejects.toThrow(DockerConfigError);
  });
});

describe('auths entries', () => {
  it('decode auth as base64 of username:password (the password may hold colons)', async () => {
    await writeConfig({ auths: { 'ghcr.io': { auth: basicAuth('alice', 'pa:ss') } } });
    const resolved = await resolveDockerCredentials('ghcr.io', { env });
    expect(resolved).toMatchObject({
      source: 'config-auths',
      from: join(configDir, 'config.json'),
    });
    expect(resolved.credentials).toEqual({ kind: 'basic', username: 'alice', password: 'pa:ss' });
  });

  it('read explicit username and password fields', async () => {
    await writeConfig({ auths: { '127.0.0.1:5000': { username: 'bob', password: 'pw' } } });
    const resolved = await resolveDockerCredentials('127.0.0.1:5000', { env });
    expect(resolved.credentials).toEqual({ kind: 'basic', username: 'bob', password: 'pw' });
  });

  it('turn an identitytoken into identity-token credentials', async () => {
    await writeConfig({
      auths: { 'ghcr.io': { auth: basicAuth('carol', ''), identitytoken: 'refresh-123' } },
    });
    const resolved = await resolveDockerCredentials('ghcr.io', { env });
    expect(resolved.credentials).toEqual({
      kind: 'identity-token',
      identityToken: 'refresh-123',
      username: 'carol',
    });
  });

  it('turn a registrytoken into registry-token credentials', async () => {
    await writeConfig({ auths: { 'ghcr.io': { registrytoken: 'bearer-abc' } } });
    const resolved = await resolveDockerCredentials('ghcr.io', { env });
    expect(resolved.credentials).toEqual({ kind: 'registry-token', registryToken: 'bearer-abc' });
  });

  it('find Docker Hub under https://index.docker.io/v1/', async () => {
    await writeConfig({ auths: { [DOCKER_HUB_CONFIG_KEY]: { auth: basicAuth('hub', 'pw') } } });
    const resolved = await resolveDockerCredentials('docker.io', { env });
    expect(resolved.credentials).toEqual({ kind: 'basic', username: 'hub', password: 'pw' });
  });

  it('match keys written as URLs to their host', async () => {
    await writeConfig({ auths: { 'https://ghcr.io/v1/': { auth: basicAuth('url', 'pw') } } });
    const resolved = await resolveDockerCredentials('ghcr.io', { env });
    expect(resolved.credentials).toEqual({ kind: 'basic', username: 'url', password: 'pw' });
  });

  it('treat the port as part of the host', async () => {
    await writeConfig({ auths: { '127.0.0.1:5000': { auth: basicAuth('a', 'b') } } });
    expect(await resolveDockerCredentials('127.0.0.1:5001', { env })).toEqual({ source: 'none' });
    expect(await resolveDockerCredentials('127.0.0.1', { env })).toEqual({ source: 'none' });
  });

  it('do not lend a host credentials of a look-alike host', async () => {
    await writeConfig({ auths: { 'ghcr.io': { auth: basicAuth('a', 'b') } } });
    expect(await resolveDockerCredentials('ghcr.io.evil.com', { env })).toEqual({ source: 'none' });
  });

  it('give way to explicit credentials', async () => {
    await writeConfig({ auths: { 'ghcr.io': { auth: basicAuth('a', 'b') } } });
    const explicit = { kind: 'basic', username: 'explicit', password: 'x' } as const;
    expect(await resolveDockerCredentials('ghcr.io', { env, credentials: explicit })).toEqual({
      credentials: explicit,
      source: 'explicit',
    });
  });
});

describe('credential helpers', () => {
  it('run docker-credential-<name> get with the host on stdin (credHelpers)', async () => {
    await writeConfig({
      credHelpers: { 'ghcr.io': 'fake' },
      auths: { 'ghcr.io': { auth: basicAuth('file', 'pw') } },
    });
    const resolved = await resolveDockerCredentials('ghcr.io', { env });
    expect(resolved).toEqual({
      credentials: { kind: 'basic', username: 'helper-user', password: 'helper-secret' },
      source: 'credential-helper',
      from: 'fake',
    });
    expect(await askedServers()).toEqual(['ghcr.io']);
  });

  it('ask about Docker Hub as https://index.docker.io/v1/', async () => {
    await writeConfig({ credsStore: 'fake' });
    const resolved = await resolveDockerCredentials('docker.io', { env });
    expect(resolved.credentials).toEqual({
      kind: 'basic',
      username: 'hub-user',
      password: 'hub-secret',
    });
    expect(resolved.source).toBe('credentials-store');
    expect(await askedServers()).toEqual([DOCKER_HUB_CONFIG_KEY]);
  });

  it('read Username <token> as an identity token', async () => {
    await writeConfig({ credsStore: 'fake' });
    const resolved = await resolveDockerCredentials('token.example', { env });
    expect(resolved.credentials).toEqual({ kind: 'identity-token', identityToken: 'refresh-xyz' });
  });

  it('prefer credHelpers for the host over credsStore', async () => {
    await writeConfig({ credsStore: 'store', credHelpers: { 'ghcr.io': 'fake' } });
    expect((await resolveDockerCredentials('ghcr.io', { env })).from).toBe('fake');
    expect((await resolveDockerCredentials('quay.io', { env })).from).toBe('store');
  });

  it('fall through to auths when the helper has nothing', async () => {
    await writeConfig({
      credsStore: 'fake',
      auths: { 'quay.io': { auth: basicAuth('file', 'pw') } },
    });
    const resolved = await resolveDockerCredentials('quay.io', { env });
    expect(resolved).toMatchObject({ source: 'config-auths' });
    expect(await askedServers()).toEqual(['quay.io']);
  });

  it('give no credentials when neither helper nor auths has any', async () => {
    await writeConfig({ credsStore: 'fake' });
    expect(await resolveDockerCredentials('quay.io', { env })).toEqual({ source: 'none' });
  });

  it('fail clearly when the helper is not on PATH', async () => {
    await writeConfig({ credsStore: 'missing' });
    const error = await resolveDockerCredentials('ghcr.io', { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialHelperError);
    expect((error as Error).message).toMatch(/docker-credential-missing is not on PATH/);
  });

  it('are stopped after the timeout', async () => {
    await writeConfig({ credsStore: 'slow' });
    await expect(
      resolveDockerCredentials('ghcr.io', { env, helperTimeoutMs: 200 }),
    ).rejects.toThrow(/no answer within 200 ms/);
  });

  it('fail without echoing stdout, which may hold a secret', async () => {
    await writeConfig({ credsStore: 'garbled' });
    const error = await resolveDockerCredentials('ghcr.io', { env }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialHelperError);
    expect((error as Error).message).not.toContain('leaked-secret');
  });

  it('report the exit code and stderr of a failing helper', async () => {
    await writeConfig({ credsStore: 'failing' });
    await expect(resolveDockerCredentials('ghcr.io', { env })).rejects.toThrow(
      /exit code 3: boom: keychain locked/,
    );
  });

  it('must be plain names, never paths', async () => {
    await writeConfig({ credsStore: '../../bin/sh' });
    await expect(resolveDockerCredentials('ghcr.io', { env })).rejects.toThrow(/not a plain name/);
  });
});
