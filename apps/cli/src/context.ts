// What a command handler receives: settings, global options, output, logger, config and the
// environment it talks to. Built once per invocation from the process (main.ts) or a test.

import type { RegistryClient, RegistryClientOptions } from '@hla-compass/registry-client';
import { type CliConfig, configDirectory, readConfig } from './config/config-file.js';
import {
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  type ResolvedEnvironment,
  resolveEndpoints,
  selectEnvironment,
} from './config/environments.js';
import { Settings } from './config/variables.js';
import type { PlatformClient } from './platform/client.js';
import {
  colorEnabled,
  createStyle,
  type InputStream,
  Logger,
  Output,
  type TextStream,
} from './terminal.js';
import { CLI_VERSION } from './version.js';

/** The outside world of one invocation; main.ts takes it from `process`, tests make their own. */
export interface System {
  readonly cwd: string;
  readonly homeDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: TextStream;
  readonly stderr: TextStream;
  readonly stdin: InputStream;
}

export interface GlobalOptions {
  readonly env?: string | undefined;
  readonly apiUrl?: string | undefined;
  readonly consoleUrl?: string | undefined;
  readonly json: boolean;
  readonly verbose: boolean;
}

export interface CommandContext {
  /** The command as typed, e.g. `keys init`, for messages. */
  readonly commandName: string;
  readonly cwd: string;
  readonly homeDir: string;
  readonly settings: Settings;
  readonly globals: GlobalOptions;
  readonly output: Output;
  readonly logger: Logger;
  readonly stdin: InputStream;
  readonly configDir: string;
  config(): Promise<CliConfig>;
  /** The environment this command talks to and its URLs; `required` refuses the implicit default. */
  environment(options?: { required?: boolean }): Promise<ResolvedEnvironment>;
  /**
   * A client of the selected environment's platform, loaded on first use. `requireEnvironment`
   * refuses the implicit default env; `readOnly` forbids writes such as a session refresh.
   */
  platform(options?: {
    requireEnvironment?: boolean;
    readOnly?: boolean;
    /** Another environment than the selected one (`auth logout --all` visits each). */
    environment?: EnvironmentName;
  }): Promise<PlatformClient>;
  /**
   * A client of image registries with the user's Docker credentials, the CLI's user agent and
   * HLA_COMPASS_HTTP_TIMEOUT_SECONDS, loaded on first use. `limits` (a shorter timeout, fewer
   * attempts, for a check that may not hold a command up) gives a client of its own.
   */
  registry(limits?: RegistryLimits): Promise<RegistryClient>;
  /** Every environment with the URLs it would use, and which one is selected. */
  environments(): Promise<{ selected: ResolvedEnvironment; all: ResolvedEnvironment[] }>;
}

export type RegistryLimits = Pick<RegistryClientOptions, 'timeoutMs' | 'retry'>;

/** `hla-compass/1.2.3 node/22.11.0 linux`, for the platform and registries alike. */
const USER_AGENT = `hla-compass/${CLI_VERSION} node/${process.versions.node} ${process.platform}`;

/** The warning before a retry: `request to the platform failed (HTTP 503); retrying in 0.4 s`. */
function retryWarning(target: string, event: { reason: string; delayMs: number }): string {
  return `request to ${target} failed (${event.reason}); retrying in ${(event.delayMs / 1000).toFixed(1)} s`;
}

export function createContext(
  system: System,
  globals: GlobalOptions,
  commandName: string,
): CommandContext {
  const settings = new Settings(system.env);
  const logger = new Logger(system.stderr, {
    verbose: globals.verbose,
    style: createStyle(colorEnabled(system.stderr, settings)),
  });
  const output = new Output(system.stdout, {
    json: globals.json,
    style: createStyle(!globals.json && colorEnabled(system.stdout, settings)),
  });
  const configDir = configDirectory(settings.get('HLA_COMPASS_CONFIG_DIR'), system);
  const timeoutMs = () => settings.seconds('HLA_COMPASS_HTTP_TIMEOUT_SECONDS') * 1000;
  let config: Promise<CliConfig> | undefined;
  const loadConfig = () => {
    config ??= readConfig(configDir);
    return config;
  };

  // --env/--api-url/--console-url and their variables apply to the selected environment only.
  const resolveEnvironment = async (required: boolean): Promise<ResolvedEnvironment> => {
    const file = await loadConfig();
    const selection = selectEnvironment(
      { flag: globals.env, settings, configDefault: file.defaultEnv },
      { required, command: `hla-compass ${commandName}` },
    );
    return resolveEndpoints(selection, {
      flags: { api: globals.apiUrl, console: globals.consoleUrl },
      settings,
      config: file.environments[selection.name],
    });
  };

  // An environment other than the selected one keeps its configured URLs: the flags and
  // variables that override URLs are the selected environment's.
  const resolveNamed = async (
    name: EnvironmentName,
    selected?: ResolvedEnvironment,
  ): Promise<ResolvedEnvironment> => {
    const current = selected ?? (await resolveEnvironment(false));
    if (current.name === name) return current;
    const file = await loadConfig();
    return resolveEndpoints(
      { name, source: 'default', from: 'default' },
      { config: file.environments[name] },
    );
  };

  let registryClient: Promise<RegistryClient> | undefined;
  const context: CommandContext = {
    commandName,
    cwd: system.cwd,
    homeDir: system.homeDir,
    settings,
    globals,
    output,
    logger,
    stdin: system.stdin,
    configDir,
    config: loadConfig,
    async environment(options = {}) {
      const resolved = await resolveEnvironment(options.required ?? false);
      logger.debug(
        `environment ${resolved.name} (from ${resolved.from}), API ${resolved.apiUrl} (from ${resolved.apiUrlFrom})`,
      );
      return resolved;
    },
    async platform(options = {}) {
      const environment =
        options.environment === undefined
          ? await resolveEnvironment(options.requireEnvironment ?? false)
          : await resolveNamed(options.environment);
      const [{ PlatformClient }, { leanFetch }] = await Promise.all([
        import('./platform/client.js'),
        import('./lean-fetch.js'),
      ]);
      return new PlatformClient({
        environment,
        configDir,
        settings,
        logger,
        allowRefresh: !options.readOnly,
        http: {
          timeoutMs: timeoutMs(),
          fetch: leanFetch,
          userAgent: USER_AGENT,
          onRetry: (event) => logger.warn(retryWarning('the platform', event)),
        },
      });
    },
    registry(limits) {
      const build = async () => {
        const [{ RegistryClient }, { leanFetch }, { dockerCredentials }, http] = await Promise.all([
          import('@hla-compass/registry-client'),
          import('./lean-fetch.js'),
          import('./docker-credentials.js'),
          logger.verbose ? import('./platform/http.js') : undefined,
        ]);
        return new RegistryClient({
          timeoutMs: timeoutMs(),
          ...limits,
          fetch: leanFetch,
          userAgent: USER_AGENT,
          onRetry: (event) => logger.warn(retryWarning(event.host, event)),
          // --verbose: one debug line per attempt, as for the platform, secret-looking query values masked.
          ...(http && {
            onExchange: (event) =>
              logger.debug(http.describeExchange({ ...event, url: http.loggableUrl(event.url) })),
          }),
          credentials: async (registry) => (await dockerCredentials(registry, context)).credentials,
        });
      };
      if (limits !== undefined) return build();
      registryClient ??= build();
      return registryClient;
    },
    async environments() {
      const selected = await resolveEnvironment(false);
      const all = await Promise.all(
        ENVIRONMENT_NAMES.map((name) =>
          name === selected.name ? selected : resolveNamed(name, selected),
        ),
      );
      return { selected, all };
    },
  };
  return context;
}
