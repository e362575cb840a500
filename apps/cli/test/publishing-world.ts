// The services a publishing test needs, all real and on loopback: a plain and an htpasswd
// registry (docker-registry), and the platform emulator seeded so that your-org's allowlist
// covers both, with no pull credentials for the htpasswd one (the Forbidden case).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  buildImage,
  type ImageContent,
  imageConfigLayers,
  RegistryClient,
} from '@hla-compass/registry-client';
import {
  type PublishingSeed,
  publishingSeed,
  type RunningEmulator,
  type RunningRegistry,
  type SeedAccount,
  type SeedRole,
  seedAccounts,
  seedSecrets,
  startEmulator,
  startRegistry,
} from '@hla-compass/testkit';

const EMULATOR_BIN = fileURLToPath(new URL('../../platform/dist/bin.js', import.meta.url));
const DEFAULT_SEED = fileURLToPath(new URL('../../platform/seed/default.json', import.meta.url));

export const REGISTRY_USER = { username: 'pusher', password: 'registry-test-secret-42' };

export interface PublishingWorld {
  readonly plain: RunningRegistry;
  readonly guarded: RunningRegistry;
  readonly emulator: RunningEmulator;
  readonly users: Readonly<Record<SeedRole, SeedAccount>>;
  apiUrl(environment: string): string;
  /** Pushes a small real image (config + one layer) and returns its digest. */
  pushImage(reference: string, marker?: string): Promise<string>;
  /** Pushes an image with these config labels; its config digest is what an engine calls its id. */
  pushLabelledImage(
    reference: string,
    labels: Record<string, string>,
  ): Promise<{ digest: string; configDigest: string; topLayer: string }>;
  /** Calls the platform's API directly, as a seeded user (for approvals and checks). */
  api(
    environment: string,
    apiKey: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }>;
  /** Every secret the tests know of: no CLI output may contain any. */
  secrets(): string[];
  stop(): Promise<void>;
}

export async function startPublishingWorld(
  options: {
    accessTokenTtlSeconds?: number;
    /** Where the emulator's data dir is made (default: the OS temp dir). */
    emulatorParentDir?: string;
  } = {},
): Promise<PublishingWorld> {
  const plain = await startRegistry();
  const guarded = await startRegistry({ htpasswd: REGISTRY_USER }).catch(async (error: unknown) => {
    await plain.stop();
    throw error;
  });
  const seed = (await publishingSeed(DEFAULT_SEED, plain.port, guarded.host)) as PublishingSeed;
  // A world that fails to start must not leave its registries running.
  const emulator = await startEmulator({
    bin: EMULATOR_BIN,
    seed,
    ...(options.accessTokenTtlSeconds === undefined
      ? {}
      : { accessTokenTtlSeconds: options.accessTokenTtlSeconds }),
    ...(options.emulatorParentDir === undefined ? {} : { parentDir: options.emulatorParentDir }),
  }).catch(async (error: unknown) => {
    await Promise.all([plain.stop(), guarded.stop()]);
    throw error;
  });
  const users = seedAccounts(seed);
  const registryClient = new RegistryClient({
    credentials: async (registry) =>
      registry === guarded.host ? { kind: 'basic', ...REGISTRY_USER } : undefined,
  });
  const seedText = await readFile(DEFAULT_SEED, 'utf8');

  return {
    plain,
    guarded,
    emulator,
    users,
    apiUrl: (environment) => `${emulator.url}/${environment}`,
    async pushImage(reference, marker = reference) {
      const layer = Buffer.alloc(1024);
      layer.write(marker);
      const pushed = await registryClient.pushImage(reference, {
        layers: [layer],
        config: { Labels: { 'test.marker': marker } },
      });
      return pushed.digest;
    },
    async pushLabelledImage(reference, labels) {
      const content: ImageContent = {
        layers: [Buffer.from(reference)],
        config: { Labels: labels },
      };
      const pushed = await registryClient.pushImage(reference, content);
      const { config } = buildImage(content);
      const topLayer = imageConfigLayers(config.bytes).at(-1) ?? '';
      return { digest: pushed.digest, configDigest: config.digest, topLayer };
    },
    async api(environment, apiKey, method, path, body) {
      const response = await fetch(`${emulator.url}/${environment}${path}`, {
        method,
        headers: {
          'x-api-key': apiKey,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
    },
    secrets: () =>
      [
        REGISTRY_USER.password,
        ...seedSecrets(seed),
        ...[...seedText.matchAll(/"password": "([^"]+)"/g)].map((match) => match[1] ?? ''),
      ].filter((secret) => secret.length >= 8),
    async stop() {
      await Promise.all([emulator.stop(), plain.stop(), guarded.stop()]);
    },
  };
}
