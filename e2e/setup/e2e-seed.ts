// The emulator's seed for a run: testkit's publishing seed (the default seed moved to this run's
// plain registry, the htpasswd registry on your-org's allowlist without pull credentials), read
// as the emulator reads it.
import { DEFAULT_SEED_FILE, type Seed, seedSchema } from '@hla-compass/platform';
import { publishingSeed } from '@hla-compass/testkit';

export { seedAccounts, seedSecrets } from '@hla-compass/testkit';

export async function e2eSeed(
  plainRegistryPort: number,
  guardedRegistryHost: string,
): Promise<Seed> {
  return seedSchema.parse(
    await publishingSeed(DEFAULT_SEED_FILE, plainRegistryPort, guardedRegistryHost),
  );
}
