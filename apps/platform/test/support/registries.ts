// Real registries for the publish tests (testkit's `docker-registry` processes), seeded with
// small images through registry-client's write side, and a seed whose allowlists name them.
import { isLoopbackRegistry, RegistryClient } from '@hla-compass/registry-client';
import { type RunningRegistry, startRegistry } from '@hla-compass/testkit';
import { type ImageResolver, registryImageResolver } from '../../src/index.js';
import { defaultSeed } from './platform.js';

export const REGISTRY_USER = { username: 'platform-puller', password: 'pull-secret-for-tests' };

export interface TestRegistries {
  plain: RunningRegistry;
  auth: RunningRegistry;
  stop(): Promise<void>;
}

export async function startTestRegistries(): Promise<TestRegistries> {
  const [plain, auth] = await Promise.all([
    startRegistry(),
    startRegistry({ htpasswd: REGISTRY_USER }),
  ]);
  return {
    plain,
    auth,
    stop: async () => {
      await Promise.all([plain.stop(), auth.stop()]);
    },
  };
}

/** Pushes a small image (distinct per `label`) and returns its manifest digest. */
export async function pushImage(
  registry: RunningRegistry,
  repositoryPath: string,
  tag: string,
  label = `${repositoryPath}:${tag}`,
): Promise<string> {
  const client = new RegistryClient(
    registry.credentials === undefined
      ? {}
      : { credentials: { kind: 'basic', ...registry.credentials } },
  );
  const pushed = await client.pushImage(`${registry.host}/${repositoryPath}:${tag}`, {
    config: { Labels: { 'org.opencontainers.image.title': label } },
  });
  return pushed.digest;
}

/**
 * The default seed with allowlists on the test registries: your-org may publish from the plain
 * registry, from the htpasswd one with right, missing or wrong pull credentials, and from
 * ghcr.io (never contacted by tests); other-org and platform from their own namespaces.
 */
export function testSeed(registries: TestRegistries, downHost?: string) {
  const { plain, auth } = registries;
  const allowlists: Record<string, unknown[]> = {
    'your-org': [
      `${plain.host}/your-org/*`,
      { pattern: `${auth.host}/your-org/*`, credentials: REGISTRY_USER },
      `${auth.host}/no-credentials/*`,
      {
        pattern: `${auth.host}/wrong-credentials/*`,
        credentials: { ...REGISTRY_USER, password: 'wrong' },
      },
      'ghcr.io/your-org/*',
      ...(downHost === undefined ? [] : [`${downHost}/your-org/*`]),
    ],
    'other-org': [`${plain.host}/other-org/*`],
    platform: [`${plain.host}/platform/*`],
  };
  return {
    ...defaultSeed,
    orgs: defaultSeed.orgs.map((org) => ({
      ...org,
      registry: `${plain.host}/${org.id}`,
      allowlist: allowlists[org.id] ?? [],
    })),
  };
}

/**
 * The real resolver, refusing (as a failed test) any registry that is not on loopback: tests
 * never contact ghcr.io or any other outside host. Records every reference it was asked for.
 */
export function loopbackOnlyResolver(): ImageResolver & { calls: string[] } {
  const real = registryImageResolver();
  const calls: string[] = [];
  return {
    calls,
    resolve(reference, credentials) {
      calls.push(reference.toString());
      if (!isLoopbackRegistry(reference.registry)) {
        throw new Error(`test tried to contact a non-loopback registry: ${reference.registry}`);
      }
      return real.resolve(reference, credentials);
    },
  };
}
