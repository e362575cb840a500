// What the global setup provisions and hands to every scenario through vitest's provide/inject,
// typed once here for both sides.

import type { SeedAccount, SeedRole } from '@hla-compass/testkit';

/** The roles of the seeded accounts (testkit's publishing seed finds them). */
export type AccountRole = SeedRole;
export type { SeedAccount };

export interface E2eWorld {
  /** `<prefix>/bin/hla-compass`, installed with `npm install -g` from the local verdaccio. */
  readonly cliBin: string;
  /** The version of apps/cli/package.json, which the installed CLI must report. */
  readonly cliVersion: string;
  /**
   * `http://127.0.0.1:PORT/` of the local verdaccio (no uplinks, anonymous reads): it holds the
   * workspace's published packages and every third-party package they need at run time, so
   * `npm install @hla-compass/platform --registry <verdaccioUrl>` works offline (also from a
   * `docker build --network host`).
   */
  readonly verdaccioUrl: string;
  /** The published emulator package, `@hla-compass/platform`, at the workspace's version. */
  readonly platformPackage: { readonly name: string; readonly version: string };
  /**
   * The binary host of better-sqlite3's prebuilt addon (built on this host, so for this Node's
   * ABI on linux-x64), served on loopback the way a mirror of its GitHub releases would be. An
   * install takes the prebuilt path with `environment[variable] = url` in its environment;
   * without it, better-sqlite3 compiles from source (node-gyp and Node's headers needed).
   */
  readonly sqliteBinaryHost: {
    readonly url: string;
    /** `npm_config_better_sqlite3_binary_host` */
    readonly variable: string;
  };
  /** `unix:///…/docker.sock` of the engine the scenarios build with. */
  readonly dockerHost: string;
  /** The Docker CLI, for the scenarios that push and pull the way users do without hla-compass. */
  readonly dockerCli: string;
  /** A local image every build uses as `--base-image` (nothing can be pulled here). */
  readonly baseImage: string;
  /** `127.0.0.1:PORT` of the anonymous registry, which your-org's allowlist covers. */
  readonly plainRegistry: string;
  /** The htpasswd registry: on your-org's allowlist, but the org has no pull credentials for it. */
  readonly guardedRegistry: {
    readonly host: string;
    readonly username: string;
    readonly password: string;
  };
  /** `http://127.0.0.1:PORT`; an environment's API base (and console) is `${emulatorUrl}/${env}`. */
  readonly emulatorUrl: string;
  readonly accounts: Readonly<Record<AccountRole, SeedAccount>>;
  /** A temp dir for this run, removed at the end also when a test could not clean up after itself. */
  readonly scratchDir: string;
  /** Every secret the setup knows of (seed passwords and keys, registry and verdaccio secrets). */
  readonly secrets: readonly string[];
}

declare module 'vitest' {
  export interface ProvidedContext {
    world: E2eWorld;
  }
}
