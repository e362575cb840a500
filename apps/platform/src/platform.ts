// The emulated platform: one EnvContext (database, clock, limits) per environment, and the
// seed they are reset to.
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENTS, type Environment } from '@hla-compass/platform-api';
import type { EnvContext } from './env-context.js';
import type { ImageResolver } from './services/image-resolution.js';
import { type LoginRateLimit, LoginRateLimiter } from './services/login-rate-limit.js';
import { applySeed, type PreparedSeed, prepareSeed } from './services/seed.js';
import { EnvStore } from './store/env-store.js';
import { SecretBox } from './store/secret-box.js';

export interface PlatformOptions {
  /** Directory of the `<env>.db` files; undefined keeps every database in memory. */
  dataDir: string | undefined;
  seed: PreparedSeed;
  accessTokenTtlSeconds: number;
  loginRateLimit: LoginRateLimit;
  images: ImageResolver;
  now: () => number;
}

export class Platform {
  readonly envs: ReadonlyMap<Environment, EnvContext>;
  readonly dataDir: string | undefined;
  #seed: PreparedSeed;

  constructor(options: PlatformOptions) {
    this.dataDir = options.dataDir;
    this.#seed = options.seed;
    const envs = new Map<Environment, EnvContext>();
    const box = this.#secretBox();
    for (const name of ENVIRONMENTS) {
      const store = new EnvStore(this.databaseFile(name) ?? ':memory:', box);
      envs.set(name, {
        name,
        store,
        now: options.now,
        accessTokenTtlSeconds: options.accessTokenTtlSeconds,
        loginLimiter: new LoginRateLimiter(options.loginRateLimit, options.now),
        images: options.images,
      });
    }
    this.envs = envs;
  }

  /**
   * The data dir is the user's own (0700, whatever the umask and however it was made), and
   * holds the key that seals pull passwords; in memory the key lives as long as the process.
   */
  #secretBox(): SecretBox {
    if (this.dataDir === undefined) return SecretBox.inMemory();
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(this.dataDir, 0o700);
    return SecretBox.fromKeyFile(join(this.dataDir, 'secrets.key'));
  }

  databaseFile(environment: Environment): string | undefined {
    return this.dataDir === undefined ? undefined : join(this.dataDir, `${environment}.db`);
  }

  /** Loads the seed into every env whose database is empty (a first start). */
  async seedEmpty(): Promise<Environment[]> {
    const seeded: Environment[] = [];
    for (const context of this.envs.values()) {
      if (!context.store.isEmpty()) continue;
      await applySeed(context, this.#seed);
      seeded.push(context.name);
    }
    return seeded;
  }

  /** Wipes `environments` and loads the start-up seed (or `seed`, which replaces it for them). */
  async reset(environments: readonly Environment[], seed?: unknown): Promise<void> {
    const prepared = seed === undefined ? this.#seed : prepareSeed(seed);
    for (const name of environments) {
      const context = this.envs.get(name);
      if (context !== undefined) await applySeed(context, prepared);
    }
  }

  /** Deletes expired tokens and codes; called at start and then now and again. */
  purgeExpiredCredentials(): void {
    for (const context of this.envs.values()) context.store.credentials.purgeExpired(context.now());
  }

  close(): void {
    for (const context of this.envs.values()) context.store.close();
  }
}
