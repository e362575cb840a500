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
  const { logger, output } = terminalsOf(system, globals, settings);
  const configDir = configDirectory(settings.get('HLA_COMPASS_CONFIG_DIR'), system);
  let config: Promise<CliConfig> | undefined;
  const loadConfig = () => {
    config ??= readConfig(configDir);
    return config;
  };
  const environments = new EnvironmentResolver(globals, settings, loadConfig, commandName);
  // Read when a client is made, so that a bad value fails only the commands that send requests.
  const http = {
    timeoutMs: () => settings.seconds('HLA_COMPASS_HTTP_TIMEOUT_SECONDS') * 1000,
    logger,
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
    // A getter: process.stdin is a stream made when first read, and few commands read it.
    get stdin() {
      return system.stdin;
    },
    configDir,
    config: loadConfig,
    async environment(options = {}) {
      const resolved = await environments.selected(options.required ?? false);
      logger.debug(
        `environment ${resolved.name} (from ${resolved.from}), API ${resolved.apiUrl} (from ${resolved.apiUrlFrom})`,
      );
      return resolved;
    },
    async platform(options = {}) {
      const environment =
        options.environment === undefined
          ? await environments.selected(options.requireEnvironment ?? false)
          : await environments.named(options.environment);
      return platformClient({ environment, configDir, settings, ...http }, !options.readOnly);
    },
    registry(limits) {
      if (limits !== undefined) return registryClientOf(context, http, limits);
      registryClient ??= registryClientOf(context, http, {});
      return registryClient;
    },
    environments: () => environments.all(),
  };
  return context;
}

/** The logger on stderr and the output on stdout, coloured where their terminal takes it. */
function terminalsOf(
  system: System,
  globals: GlobalOptions,
  settings: Settings,
): { logger: Logger; output: Output } {
  return {
    logger: new Logger(system.stderr, {
      verbose: globals.verbose,
      style: createStyle(colorEnabled(system.stderr, settings)),
    }),
    output: new Output(system.stdout, {
      json: globals.json,
      style: createStyle(!globals.json && colorEnabled(system.stdout, settings)),
    }),
  };
}

/**
 * Which environment a command talks to, and its URLs. --env/--api-url/--console-url and their
 * variables apply to the selected environment only; another one keeps its configured URLs.
 */
class EnvironmentResolver {
  constructor(
    private readonly globals: GlobalOptions,
    private readonly settings: Settings,
    private readonly config: () => Promise<CliConfig>,
    private readonly commandName: string,
  ) {}

  async selected(required: boolean): Promise<ResolvedEnvironment> {
    const file = await this.config();
    const selection = selectEnvironment(
      { flag: this.globals.env, settings: this.settings, configDefault: file.defaultEnv },
      { required, command: `hla-compass ${this.commandName}` },
    );
    return resolveEndpoints(selection, {
      flags: { api: this.globals.apiUrl, console: this.globals.consoleUrl },
      settings: this.settings,
      config: file.environments[selection.name],
    });
  }

  async named(name: EnvironmentName, selected?: ResolvedEnvironment): Promise<ResolvedEnvironment> {
    const current = selected ?? (await this.selected(false));
    if (current.name === name) return current;
    const file = await this.config();
    return resolveEndpoints(
      { name, source: 'default', from: 'default' },
      { config: file.environments[name] },
    );
  }

  async all(): Promise<{ selected: ResolvedEnvironment; all: ResolvedEnvironment[] }> {
    const selected = await this.selected(false);
    const all = await Promise.all(ENVIRONMENT_NAMES.map((name) => this.named(name, selected)));
    return { selected, all };
  }
}

/** What both HTTP clients of a command share: its timeout and where retries are told. */
interface HttpSetting {
  readonly timeoutMs: () => number;
  readonly logger: Logger;
}

/** The platform's client, loaded on first use (zod and the routes stay out of start-up). */
async function platformClient(
  target: { environment: ResolvedEnvironment; configDir: string; settings: Settings } & HttpSetting,
  allowRefresh: boolean,
): Promise<PlatformClient> {
  const [{ PlatformClient }, { leanFetch }] = await Promise.all([
    import('./platform/client.js'),
    import('./lean-fetch.js'),
  ]);
  const { environment, configDir, settings, logger, timeoutMs } = target;
  return new PlatformClient({
    environment,
    configDir,
    settings,
    logger,
    allowRefresh,
    http: {
      timeoutMs: timeoutMs(),
      fetch: leanFetch,
      userAgent: USER_AGENT,
      onRetry: (event) => logger.warn(retryWarning('the platform', event)),
    },
  });
}

/** A registry client with the user's Docker credentials, loaded on first use. */
async function registryClientOf(
  context: CommandContext,
  { timeoutMs, logger }: HttpSetting,
  limits: RegistryLimits,
): Promise<RegistryClient> {
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
}
