// A Python SDK 2.0.13 user's config dir, made for real (RSA 4096 pair, Fernet credentials, the
// SDK's config.json, with the SDK's modes), and every hla-compass command that touches the config
// dir run on it as the built CLI against the emulator: each does its job, and afterwards every
// file of the SDK is byte- and mode-identical, so the SDK keeps working.
import {
  constants,
  createCipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type LosslessJsonObject,
  legacyManifestBytes,
  parseJsonLossless,
} from '@hla-compass/signing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { capturedOutput, createSandbox, type RunOptions, type Sandbox } from './cli-process.js';
import { type PublishingWorld, startPublishingWorld } from './publishing-world.js';
import { storedTokens } from './sandbox-config.js';

type Environment = 'dev' | 'staging' | 'prod';

let world: PublishingWorld;
let sdkKeyPair: { privatePem: string; publicPem: string; spki: Buffer };
let sandbox: Sandbox;
let sdkFilesBefore: Map<string, FileState>;
const secrets: string[] = [];

beforeAll(async () => {
  world = await startPublishingWorld();
  // Once per file: a 4096-bit pair takes a while, and every test writes the same bytes.
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 4096,
    publicExponent: 65537,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  sdkKeyPair = {
    privatePem: pair.privateKey,
    publicPem: pair.publicKey,
    spki: createPublicKey(pair.publicKey).export({ type: 'spki', format: 'der' }),
  };
  secrets.push(pemBody(pair.privateKey));
});
afterAll(async () => {
  if (world === undefined) return;
  await world.stop();
  const all = [...world.secrets(), ...secrets].filter((secret) => secret.length >= 16);
  expect(all.length).toBeGreaterThan(5);
  for (const output of capturedOutput) {
    for (const secret of all) expect(output).not.toContain(secret);
  }
});
beforeEach(async () => {
  sandbox = await createSandbox();
  await writeSdkConfigDir(sandbox.configDir);
  sdkFilesBefore = await sdkFileStates(sandbox.configDir);
});
// The promise of this file, checked after every test whatever the test did.
afterEach(async () => {
  if (sandbox === undefined) return;
  try {
    expect(await sdkFileStates(sandbox.configDir)).toEqual(sdkFilesBefore);
  } finally {
    for (const environment of ['local', 'dev', 'staging', 'prod']) {
      secrets.push(...(await storedTokens(sandbox, environment)));
    }
    const ours = await readFile(join(ed25519Dir(), 'private.pem'), 'utf8').catch(() => undefined);
    if (ours !== undefined) secrets.push(pemBody(ours));
    await sandbox.cleanup();
  }
});

// ---------------------------------------------------------------- the SDK's config dir

interface FileState {
  readonly sha256: string;
  readonly mode: number;
}

/** The SDK's files and the two directories it made, as the SDK leaves them. */
const SDK_FILES = [
  'config.json',
  'credentials.json',
  'credentials.key',
  'keys/private.pem',
  'keys/public.pem',
] as const;
const SDK_DIRECTORIES = ['.', 'keys'] as const;

const SDK_API_ENDPOINT = 'https://compass.example.org';
const SDK_AUTHOR = { name: 'Grace Hopper', email: 'grace@your-org.test' };

async function writeSdkConfigDir(dir: string): Promise<void> {
  // Python's mkdir(parents=True, exist_ok=True) under umask 022.
  await mkdir(join(dir, 'keys'), { recursive: true, mode: 0o755 });
  await chmod(dir, 0o755);
  await writeWithMode(join(dir, 'keys', 'private.pem'), sdkKeyPair.privatePem, 0o600);
  await writeWithMode(join(dir, 'keys', 'public.pem'), sdkKeyPair.publicPem, 0o644);

  // credentials.key: Fernet.generate_key(), no newline; credentials.json: the token alone.
  const fernetKey = randomBytes(32);
  const sdkSession = {
    access_token: `sdk-access-${randomBytes(24).toString('hex')}`,
    refresh_token: `sdk-refresh-${randomBytes(24).toString('hex')}`,
    expires_at: '2026-12-01T12:00:00.000000',
    environment: 'dev',
    api_key: null,
  };
  const token = fernetToken(fernetKey, JSON.stringify(sdkSession));
  secrets.push(sdkSession.access_token, sdkSession.refresh_token, token);
  secrets.push(fernetKey.toString('base64url'));
  await writeWithMode(join(dir, 'credentials.key'), urlsafeBase64(fernetKey), 0o600);
  await writeWithMode(join(dir, 'credentials.json'), token, 0o600);

  // Python's json.dump(config, f, indent=2): the keys the SDK reads and writes (§4.5).
  const config = {
    profiles: {
      dev: {
        environment: 'dev',
        activeOrgId: 'your-org',
        primaryOrgId: 'your-org',
        updatedAt: '2026-11-30T09:15:02.123456',
      },
    },
    activeProfile: 'dev',
    activeOrgId: 'your-org',
    organization: 'your-org',
    api_endpoint: SDK_API_ENDPOINT,
    endpoints: { apiEndpoint: SDK_API_ENDPOINT },
    data_provider: 'alithea-bio',
    data_catalog: 'immunopeptidomics',
    author: SDK_AUTHOR,
  };
  await writeWithMode(join(dir, 'config.json'), JSON.stringify(config, null, 2), 0o644);
}

async function writeWithMode(path: string, content: string, mode: number): Promise<void> {
  await writeFile(path, content, { mode });
  await chmod(path, mode);
}

/** A real Fernet token (version 0x80, AES-128-CBC, HMAC-SHA256), as `cryptography` writes it. */
function fernetToken(key: Buffer, plaintext: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-128-cbc', key.subarray(16), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000)));
  const signed = Buffer.concat([Buffer.from([0x80]), timestamp, iv, ciphertext]);
  const hmac = createHmac('sha256', key.subarray(0, 16)).update(signed).digest();
  return urlsafeBase64(Buffer.concat([signed, hmac]));
}

const urlsafeBase64 = (bytes: Buffer) =>
  bytes.toString('base64').replaceAll('+', '-').replaceAll('/', '_');

async function sdkFileStates(dir: string): Promise<Map<string, FileState>> {
  const states = new Map<string, FileState>();
  for (const file of SDK_FILES) {
    const path = join(dir, file);
    const [content, stats] = await Promise.all([readFile(path), stat(path)]);
    states.set(file, {
      sha256: createHash('sha256').update(content).digest('hex'),
      mode: stats.mode & 0o7777,
    });
  }
  for (const directory of SDK_DIRECTORIES) {
    states.set(`${directory}/`, {
      sha256: '',
      mode: (await stat(join(dir, directory))).mode & 0o7777,
    });
  }
  return states;
}

// ---------------------------------------------------------------- running the CLI as an SDK user

/** The shell of an SDK user: HLA_ENV and API_ENDPOINT, the SDK's variables, pick env and URL. */
function sdkShell(environment: Environment): Record<string, string> {
  return { HLA_ENV: environment, API_ENDPOINT: world.apiUrl(environment) };
}

function run(args: readonly string[], environment: Environment = 'dev', options: RunOptions = {}) {
  return sandbox.run(args, { ...options, env: { ...sdkShell(environment), ...options.env } });
}

async function loginAsDeveloper(environment: Environment): Promise<void> {
  const { developer } = world.users;
  const result = await run(
    ['auth', 'login', '--email', developer.email, '--password-stdin'],
    environment,
    { stdin: `${developer.password}\n` },
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

const ed25519Dir = () => join(sandbox.configDir, 'keys', 'ed25519');
const credentialsFile = (environment: string) =>
  join(sandbox.configDir, 'credentials', `${environment}.json`);
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
const pemBody = (pem: string) => pem.split('\n').slice(1, -2).join('');

function sdkFingerprints(): { ours: string; sdk: string } {
  const digest = createHash('sha256').update(sdkKeyPair.spki).digest('base64');
  return { ours: `SHA256:${digest.replace(/=+$/, '')}`, sdk: digest };
}

// ---------------------------------------------------------------- the tests

describe("environments from the SDK's variables", () => {
  it('selects by HLA_ENV and takes the URL from API_ENDPOINT, and says so', async () => {
    const listed = await run(['env', 'list', '--json'], 'staging');
    expect(listed.code).toBe(0);
    const body = JSON.parse(listed.stdout);
    expect(body).toMatchObject({
      selected: 'staging',
      selectedBy: 'environment',
      selectedFrom: 'HLA_ENV',
    });
    expect(body.environments[2]).toMatchObject({
      name: 'staging',
      apiUrl: world.apiUrl('staging'),
      apiUrlSource: 'environment',
      apiUrlFrom: 'API_ENDPOINT',
      consoleUrl: world.apiUrl('staging'),
    });

    const table = await run(['env', 'list'], 'staging');
    expect(table.stdout).toMatch(
      /^\* +staging +http:\/\/127\.0\.0\.1:\d+\/staging +API_ENDPOINT /m,
    );
    expect(table.stdout).toContain('* selected (by HLA_ENV)');
  });

  it('ranks HLA_COMPASS_ENV and HLA_API_ENDPOINT above them', async () => {
    const listed = await run(['env', 'list', '--json'], 'staging', {
      env: { HLA_COMPASS_ENV: 'dev', HLA_API_ENDPOINT: world.apiUrl('dev') },
    });
    const body = JSON.parse(listed.stdout);
    expect(body).toMatchObject({ selected: 'dev', selectedFrom: 'HLA_COMPASS_ENV' });
    expect(body.environments[1]).toMatchObject({
      apiUrl: world.apiUrl('dev'),
      apiUrlFrom: 'HLA_API_ENDPOINT',
    });
  });

  it("does not use the SDK's config.json api_endpoint, and says what to set instead", async () => {
    const listed = await sandbox.run(['env', 'list', '--json']);
    expect(listed.code).toBe(0);
    const body = JSON.parse(listed.stdout);
    for (const environment of body.environments) {
      expect(environment.apiUrl).not.toBe(SDK_API_ENDPOINT);
    }
    expect(body.environments[1]).toMatchObject({ apiUrl: 'https://api-dev.alithea.bio' });
    expect(body.sdkApiEndpoint).toEqual({ key: 'api_endpoint', used: false });
    expect(listed.stderr).toContain(
      `warning: config.json "api_endpoint" (${SDK_API_ENDPOINT}) is the Python SDK's; hla-compass does not use it`,
    );
    expect(listed.stderr).toContain('set environments.<env>.apiUrl in config.json');
  });
});

describe("auth leaves the SDK's credentials alone", () => {
  it("is not logged in by the SDK's credentials.json", async () => {
    const status = await run(['auth', 'status', '--json']);
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout)).toMatchObject({ environment: 'dev', authenticated: false });
  });

  it('logs in with --api-key-stdin and with --email/--password-stdin into credentials/dev.json', async () => {
    const withKey = await run(['auth', 'login', '--api-key-stdin'], 'dev', {
      stdin: world.users.admin.apiKey,
    });
    expect(withKey.code).toBe(0);
    expect(withKey.stdout).toContain(`Logged in to dev as ${world.users.admin.email}`);
    expect(await modeOf(credentialsFile('dev'))).toBe(0o600);
    expect(JSON.parse(await readFile(credentialsFile('dev'), 'utf8'))).toMatchObject({
      environment: 'dev',
      apiUrl: world.apiUrl('dev'),
      method: 'api-key',
    });

    await loginAsDeveloper('dev');
    const status = await run(['auth', 'status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      authenticated: true,
      source: 'stored token',
      user: { email: world.users.developer.email },
    });
    expect(await readdir(join(sandbox.configDir, 'credentials'))).toEqual(['dev.json']);
  });

  it("logs out of one environment and of all, and says the SDK's credentials.json stays", async () => {
    await loginAsDeveloper('dev');
    await loginAsDeveloper('staging');
    const one = await run(['auth', 'logout'], 'dev');
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('Logged out of dev');
    expect(one.stderr).toContain("The Python SDK's credentials.json was left as it is");
    expect(await readdir(join(sandbox.configDir, 'credentials'))).toEqual(['staging.json']);

    const all = await run(['auth', 'logout', '--all', '--json']);
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual({ loggedOut: ['staging'], revoked: ['staging'] });
    expect(all.stderr).toContain("The Python SDK's credentials.json was left as it is");
    expect(await readdir(join(sandbox.configDir, 'credentials'))).toEqual([]);
  });
});

describe("keys beside the SDK's RSA pair", () => {
  const sdkKeyMessage = () =>
    `${join(sandbox.configDir, 'keys', 'private.pem')} is the Python SDK's RSA-PSS signing key (fingerprint ${sdkFingerprints().ours}); hla-compass signs with Ed25519`;
  const nextStep =
    "hint: run `hla-compass keys init` to create an Ed25519 pair beside it (the SDK's RSA pair stays)";

  it('keys show names the SDK key, both fingerprints, and what to do, while there is no Ed25519 pair', async () => {
    const shown = await run(['keys', 'show', '--json']);
    expect(shown.code).toBe(2);
    expect(JSON.parse(shown.stdout)).toEqual({
      fingerprint: null,
      keyFingerprint: null,
      algorithm: null,
      publicKey: null,
      publicKeyPem: null,
      publicKeyPath: null,
      pythonSdkKey: {
        fingerprint: sdkFingerprints().ours,
        usedBy: 'Python SDK',
        algorithm: 'RSA-PSS',
        keySize: 4096,
        keyFingerprint: sdkFingerprints().ours,
        sdkFingerprint: sdkFingerprints().sdk,
        publicKey: sdkKeyPair.spki.toString('base64'),
        privateKeyPath: join(sandbox.configDir, 'keys', 'private.pem'),
        publicKeyPath: join(sandbox.configDir, 'keys', 'public.pem'),
      },
    });
    expect(shown.stderr).toContain(`warning: ${sdkKeyMessage()}`);
    expect(shown.stderr).toContain(nextStep);

    const human = await run(['keys', 'show']);
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('used by the Python SDK');
    expect(human.stdout).toContain(`SDK fingerprint  ${sdkFingerprints().sdk}`);
  });

  it('keys register refuses with what the RSA key is and the way on', async () => {
    await loginAsDeveloper('dev');
    const result = await run(['keys', 'register']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`error: ${sdkKeyMessage()}`);
    expect(result.stderr).toContain(nextStep);
    const listed = await run(['keys', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual({ environment: 'dev', keys: [] });
  });

  it('keys init creates the Ed25519 pair in keys/ed25519 (0700, 0600, 0644), keeps it, and --force replaces only it', async () => {
    const created = await run(['keys', 'init', '--json']);
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout);
    expect(body).toMatchObject({
      created: true,
      privateKeyPath: join(ed25519Dir(), 'private.pem'),
      publicKeyPath: join(ed25519Dir(), 'public.pem'),
      pythonSdkKey: { keyFingerprint: sdkFingerprints().ours },
    });
    expect(await modeOf(ed25519Dir())).toBe(0o700);
    expect(await modeOf(join(ed25519Dir(), 'private.pem'))).toBe(0o600);
    expect(await modeOf(join(ed25519Dir(), 'public.pem'))).toBe(0o644);
    const privateKey = createPrivateKey(await readFile(join(ed25519Dir(), 'private.pem')));
    const publicKey = createPublicKey(await readFile(join(ed25519Dir(), 'public.pem')));
    expect(privateKey.asymmetricKeyType).toBe('ed25519');
    const message = Buffer.from('pair check');
    expect(verify(null, message, publicKey, sign(null, message, privateKey))).toBe(true);

    const human = await run(['keys', 'init']);
    expect(human.code).toBe(0);
    expect(human.stderr).toContain(`keys already exist in ${ed25519Dir()}; kept them`);

    const forced = await run(['keys', 'init', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("Created an Ed25519 key pair beside the Python SDK's RSA pair");
    expect(forced.stdout).toContain(`private key  ${join(ed25519Dir(), 'private.pem')}`);
    expect(forced.stdout).toContain('hla-compass keys register --env prod --sdk-key');
    const replaced = JSON.parse((await run(['keys', 'show', '--json'])).stdout);
    expect(replaced.keyFingerprint).not.toBe(body.keyFingerprint);
    expect(forced.stdout).toContain(`fingerprint  ${replaced.keyFingerprint}`);
    expect((await readdir(join(sandbox.configDir, 'keys'))).sort()).toEqual([
      'ed25519',
      'private.pem',
      'public.pem',
    ]);
  });

  it('keys show shows the Ed25519 key it signs with and, beside it, the SDK key; never a private key', async () => {
    const created = JSON.parse((await run(['keys', 'init', '--json'])).stdout);
    const shown = await run(['keys', 'show', '--json']);
    expect(shown.code).toBe(0);
    const body = JSON.parse(shown.stdout);
    expect(body).toMatchObject({
      keyFingerprint: created.keyFingerprint,
      algorithm: 'Ed25519',
      publicKeyPath: join(ed25519Dir(), 'public.pem'),
      pythonSdkKey: {
        usedBy: 'Python SDK',
        algorithm: 'RSA-PSS',
        keyFingerprint: sdkFingerprints().ours,
        sdkFingerprint: sdkFingerprints().sdk,
      },
    });
    const human = await run(['keys', 'show']);
    expect(human.stdout).toMatch(
      new RegExp(`^fingerprint  ${literal(created.keyFingerprint)}$`, 'm'),
    );
    expect(human.stdout).toContain(`  fingerprint      ${sdkFingerprints().ours}`);
    for (const output of [shown.stdout, shown.stderr, human.stdout, human.stderr]) {
      expect(output).not.toContain('PRIVATE KEY');
    }
  });

  it('keys register and keys list use the Ed25519 pair in keys/ed25519', async () => {
    const created = JSON.parse((await run(['keys', 'init', '--json'])).stdout);
    await loginAsDeveloper('dev');
    const registered = await run(['keys', 'register', '--name', 'laptop', '--json']);
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({
      environment: 'dev',
      fingerprint: created.keyFingerprint,
      algorithm: 'Ed25519',
    });
    const listed = JSON.parse((await run(['keys', 'list', '--json'])).stdout);
    expect(listed.keys).toEqual([
      expect.objectContaining({ fingerprint: created.keyFingerprint, thisMachine: true }),
    ]);
  });
});

describe("the SDK's RSA key registered where the platform wants it (prod)", () => {
  it("keys register --sdk-key registers the SDK's RSA key, keys list marks it, and prod then takes the SDK's publishes", async () => {
    const image = imageOf('sdk-prod');
    await world.pushImage(image);
    await loginAsDeveloper('prod');
    const unregistered = await sdkPublish('prod', 'sdk-prod', image);
    expect(unregistered.status).toBe(403);
    expect(unregistered.body).toMatchObject({ code: 'UNTRUSTED_KEY' });

    const registered = await run(['keys', 'register', '--sdk-key', '--json'], 'prod');
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({
      environment: 'prod',
      fingerprint: sdkFingerprints().ours,
      algorithm: 'RSA-PSS',
      publicKey: sdkKeyPair.spki.toString('base64'),
      name: expect.stringMatching(/ \(Python SDK\)$/),
      revokedAt: null,
    });
    const again = await run(['keys', 'register', '--sdk-key'], 'prod');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `Registered the Python SDK's key ${sdkFingerprints().ours} (RSA-PSS) with prod`,
    );

    const listed = JSON.parse((await run(['keys', 'list', '--json'], 'prod')).stdout);
    expect(listed.keys).toEqual([
      expect.objectContaining({
        fingerprint: sdkFingerprints().ours,
        algorithm: 'RSA-PSS',
        thisMachine: true,
        usedBy: 'Python SDK',
      }),
    ]);
    const table = await run(['keys', 'list'], 'prod');
    expect(table.stdout).toMatch(/^\* +SHA256:\S+ .* active, Python SDK key$/m);

    const accepted = await sdkPublish('prod', 'sdk-prod', image);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ state: 'APPROVED' });
  });

  it('keys register --sdk-key says there is no SDK key where keys/ holds none (exit 2)', async () => {
    const plain = await createSandbox();
    try {
      const result = await plain.run(['keys', 'register', '--sdk-key'], {
        env: sdkShell('prod'),
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `error: there is no Python SDK key in ${plain.configDir}/keys: its private.pem is not an RSA key`,
      );
    } finally {
      await plain.cleanup();
    }
  });
});

describe("publishing from the SDK's config dir", () => {
  it('publish --dry-run takes HLA_ENV as the explicit env it needs, signs with keys/ed25519, writes nothing', async () => {
    const moduleDir = await newModule('dry-scorer');
    const image = imageOf('dry-scorer');
    await world.pushImage(image);
    const created = JSON.parse((await run(['keys', 'init', '--json'])).stdout);
    await loginAsDeveloper('dev');
    // Registered, or the dry run exits 1 as the signed publish would (UNTRUSTED_KEY).
    expect((await run(['keys', 'register'], 'dev')).code).toBe(0);
    const before = await readdir(moduleDir);
    const result = await run(['publish', '--dry-run', '--image-ref', image, '--json'], 'dev', {
      cwd: moduleDir,
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      dryRun: true,
      environment: 'dev',
      apiUrl: world.apiUrl('dev'),
      keyFingerprint: created.keyFingerprint,
    });
    expect(await readdir(moduleDir)).toEqual(before);

    const implicit = await sandbox.run(['publish', '--dry-run', '--image-ref', image], {
      cwd: moduleDir,
    });
    expect(implicit.code).toBe(2);
    expect(implicit.stderr).toContain('hla-compass publish needs an explicit environment');
  });

  it('publish --generate-keys creates and registers the pair beside the SDK pair, signs with it, and modules list shows the version', async () => {
    const moduleDir = await newModule('sdk-scorer');
    const image = imageOf('sdk-scorer');
    await world.pushImage(image);
    await loginAsDeveloper('staging');

    // staging requires signatures: without an Ed25519 pair, publish stops before sending.
    const refused = await run(['publish', '--image-ref', image], 'staging', { cwd: moduleDir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `there is no Ed25519 key yet: ${join(sandbox.configDir, 'keys', 'private.pem')} is the Python SDK's RSA-PSS signing key`,
    );
    expect(refused.stderr).toContain("(the SDK's RSA pair stays where it is)");

    const published = await run(
      ['publish', '--image-ref', image, '--generate-keys', '--json'],
      'staging',
      { cwd: moduleDir },
    );
    expect(published.code).toBe(0);
    const body = JSON.parse(published.stdout);
    expect(body).toMatchObject({ environment: 'staging', state: 'APPROVED' });
    const shown = JSON.parse((await run(['keys', 'show', '--json'])).stdout);
    expect(shown.publicKeyPath).toBe(join(ed25519Dir(), 'public.pem'));
    expect(body.keyFingerprint).toBe(shown.keyFingerprint);

    const listed = await run(['modules', 'list', '--json'], 'staging');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).modules).toContainEqual(
      expect.objectContaining({ moduleName: 'sdk-scorer', currentVersion: '0.1.0' }),
    );
  });
});

describe("the SDK's spellings of init and validate", () => {
  it('init --template ui makes the with-ui module, the author from the SDK config.json', async () => {
    const result = await run(['init', 'peptide-viewer', '--template', 'ui', '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ template: 'with-ui' });
    const dir = join(sandbox.dir, 'peptide-viewer');
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ type: 'with-ui', author: SDK_AUTHOR });
    expect(await readdir(dir)).toContain('frontend');
    expect((await run(['validate', '--strict'], 'dev', { cwd: dir })).code).toBe(0);

    const help = await run(['init', '--help']);
    expect(help.stdout).toContain('"ui"');
    expect(help.stdout).toContain('hla-compass init peptide-viewer --template ui');
  });

  it('validate --format json prints exactly what --json prints; --format text is the default', async () => {
    const dir = await newModule('format-check');
    const manifestPath = join(dir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, version: '1.0' }, null, 2));

    const json = await run(['validate', '--json'], 'dev', { cwd: dir });
    const format = await run(['validate', '--format', 'json'], 'dev', { cwd: dir });
    expect(format.code).toBe(2);
    expect(format.stdout).toBe(json.stdout);
    expect(JSON.parse(format.stdout)).toMatchObject({ valid: false });

    const text = await run(['validate', '--format', 'text'], 'dev', { cwd: dir });
    expect(text.stdout).toBe((await run(['validate'], 'dev', { cwd: dir })).stdout);
    expect(text.stdout).toMatch(/manifest.json is invalid/);

    const both = await run(['validate', '--format', 'text', '--json'], 'dev', { cwd: dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--format text and --json ask for different outputs');
    const unknown = await run(['validate', '--format', 'yaml'], 'dev', { cwd: dir });
    expect(unknown.code).toBe(2);

    const help = await run(['validate', '--help']);
    expect(help.stdout).toContain('--format <format>');
    expect(help.stdout).toContain('hla-compass validate --strict --format json');
  });
});

/**
 * What the SDK's `publish --image-ref` sends (python-sdk.md §3, §5.2): the manifest signed alone
 * with RSA-PSS (SHA-256, maximal salt) over Python's json.dumps of it, the five signature fields
 * inside, `docker` mapped to `fargate`; the developer's API key, as the SDK would hold it.
 */
async function sdkPublish(environment: Environment, name: string, imageRef: string) {
  const manifest = {
    schemaVersion: '1.0',
    name,
    version: '0.1.0',
    type: 'no-ui',
    computeType: 'fargate',
    author: SDK_AUTHOR,
    execution: { entrypoint: 'backend.main:Module' },
  };
  const signed = legacyManifestBytes(
    parseJsonLossless(JSON.stringify(manifest)) as LosslessJsonObject,
  );
  const signature = sign('sha256', signed, {
    key: sdkKeyPair.privatePem,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: constants.RSA_PSS_SALTLEN_MAX_SIGN,
  });
  const body = {
    imageRef,
    manifest: {
      ...manifest,
      signature: signature.toString('base64'),
      publicKey: sdkKeyPair.spki.toString('base64'),
      keyFingerprint: sdkFingerprints().sdk,
      signatureAlgorithm: 'RSA-PSS',
      hashAlgorithm: 'SHA-256',
    },
    scope: 'org',
  };
  const apiKey = world.users.developer.apiKey;
  if (apiKey === undefined) throw new Error('the seed lost the developer API key');
  return world.api(environment, apiKey, 'POST', '/v1/modules/publish', body);
}

async function newModule(name: string): Promise<string> {
  const result = await run(['init', name]);
  expect(result.code).toBe(0);
  return join(sandbox.dir, name);
}

const imageOf = (name: string) => `${world.plain.host}/your-org/${name}:0.1.0`;

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
