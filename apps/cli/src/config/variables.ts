// Every environment variable the CLI reads, with its default and meaning, in one place. Commands
// read them only through `Settings`, which takes the defaults from here; `--help` is generated
// from this list and the README's table is checked against it by a test.
import { UsageError } from '../errors.js';
import { CONFIG_DIR_NAME } from './config-file.js';
import { DEFAULT_ENVIRONMENT } from './environments.js';

export interface VariableSpec {
  readonly name: string;
  readonly description: string;
  /** The default as `--help` and the README show it. */
  readonly default: string;
  /** For a number of seconds: the value `Settings.seconds` uses when the variable is unset. */
  readonly defaultSeconds?: number;
}

/** A default of N seconds, shown as N, so that the text cannot differ from the value used. */
function inSeconds<const N extends number>(
  seconds: N,
): { readonly defaultSeconds: N; readonly default: `${N}` } {
  return { defaultSeconds: seconds, default: `${seconds}` };
}

export const variables = [
  {
    name: 'HLA_COMPASS_ENV',
    description:
      'Environment to use when `--env` is not given (`local`, `dev`, `staging`, `prod`).',
    default: `config \`defaultEnv\`, else \`${DEFAULT_ENVIRONMENT}\``,
  },
  {
    name: 'HLA_ENV',
    description:
      "The Python SDK's name for `HLA_COMPASS_ENV` (ours wins when both are set); `publish` takes it.",
    default: 'unset',
  },
  {
    name: 'HLA_API_ENDPOINT',
    description:
      'API base URL of the selected environment; beats the config file, loses to `--api-url`.',
    default: "the environment's built-in URL",
  },
  {
    name: 'API_ENDPOINT',
    description: "The Python SDK's name for `HLA_API_ENDPOINT` (ours wins when both are set).",
    default: 'unset',
  },
  {
    name: 'HLA_CONSOLE_URL',
    description: 'Console (login page) URL of the selected environment; loses to `--console-url`.',
    default: "the environment's built-in console, or the API URL when that is overridden",
  },
  {
    name: 'HLA_COMPASS_CONFIG_DIR',
    description: 'Directory for `config.json`, `credentials/<env>.json` and `keys/` (mode 0700).',
    default: `\`~/${CONFIG_DIR_NAME}\``,
  },
  {
    name: 'HLA_ACCESS_TOKEN',
    description: 'Bearer token for the platform; beats stored credentials (for CI).',
    default: 'unset',
  },
  {
    name: 'HLA_API_KEY',
    description: 'Platform API key, used when there is no access token.',
    default: 'unset',
  },
  {
    name: 'HLA_COMPASS_CLI_LOGIN_TIMEOUT_SECONDS',
    description: 'How long `auth login` waits for the browser to come back.',
    ...inSeconds(600),
  },
  {
    name: 'HLA_COMPASS_HTTP_TIMEOUT_SECONDS',
    description:
      'Timeout of each request to the platform or a registry (requests are retried on network errors, 429 and 5xx).',
    ...inSeconds(30),
  },
  {
    name: 'HLA_COMPASS_PUSH_IDLE_TIMEOUT_SECONDS',
    description:
      'How long `push` and `build --push` wait for progress from the Docker engine before they stop the push (exit 4); a "still waiting" line comes at each quarter of it.',
    ...inSeconds(120),
  },
  {
    name: 'HLA_CORRELATION_ID',
    description: 'Sent as `X-Correlation-Id` with every request to the platform (as the SDK does).',
    default: 'unset',
  },
  {
    name: 'SOURCE_DATE_EPOCH',
    description:
      "Seconds since 1970: the time `build` gives the image's `created` label and module files.",
    default: 'the last commit of a clean module, else 1970-01-01',
  },
  {
    name: 'DOCKER_HOST',
    description:
      'Docker engine to build and push with (beats `DOCKER_CONTEXT` and the current Docker context).',
    default:
      'the Docker context, else the first of `/var/run/docker.sock`, `$XDG_RUNTIME_DIR/docker.sock`, `~/.docker/run/docker.sock`',
  },
  {
    name: 'DOCKER_CONTEXT',
    description:
      'Docker context to use (as `docker --context`); beats the current context in `config.json`.',
    default: "`config.json`'s `currentContext`, else `default`",
  },
  {
    name: 'DOCKER_TLS_VERIFY',
    description:
      'Any non-empty value: reach a `tcp://` `DOCKER_HOST` over TLS, checking its certificate.',
    default: 'unset (plain TCP)',
  },
  {
    name: 'DOCKER_CERT_PATH',
    description: 'Directory of `ca.pem`, `cert.pem` and `key.pem` for a TLS engine.',
    default: '`DOCKER_CONFIG`, else `~/.docker`',
  },
  {
    name: 'DOCKER_CONFIG',
    description: 'Directory of the Docker `config.json` holding registry credentials.',
    default: '`~/.docker`',
  },
  {
    name: 'REGISTRY_AUTH_FILE',
    description:
      "Podman's and skopeo's registry credentials file, read after Docker's config (as `podman login` writes it).",
    default: '`$XDG_RUNTIME_DIR/containers/auth.json`, then `~/.config/containers/auth.json`',
  },
  {
    name: 'NO_COLOR',
    description: 'Any non-empty value turns colour off.',
    default: 'unset',
  },
  {
    name: 'FORCE_COLOR',
    description: '`1` forces colour on a non-terminal, `0` turns it off.',
    default: 'unset',
  },
] as const satisfies readonly VariableSpec[];

export type VariableName = (typeof variables)[number]['name'];

type SecondsVariable = Extract<(typeof variables)[number], { defaultSeconds: number }>;
export type SecondsVariableName = SecondsVariable['name'];

/** The CLI's view of its environment variables: only declared names, blank values read as unset. */
export class Settings {
  readonly #env: Readonly<Record<string, string | undefined>>;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.#env = env;
  }

  get(name: VariableName): string | undefined {
    const value = this.#env[name]?.trim();
    return value === '' ? undefined : value;
  }

  /**
   * A positive whole number of seconds, or the variable's default from the list above; anything
   * else is a usage error.
   */
  seconds(name: SecondsVariableName): number {
    const raw = this.get(name);
    if (raw === undefined) return defaultSeconds(name);
    if (!/^[1-9][0-9]*$/.test(raw)) {
      throw new UsageError(`${name} must be a whole number of seconds, got "${raw}"`);
    }
    return Number(raw);
  }

  /** The raw variables, for the few places that hand the environment to another program. */
  get raw(): Readonly<Record<string, string | undefined>> {
    return this.#env;
  }
}

function defaultSeconds(name: SecondsVariableName): number {
  const spec = variables.find((variable) => variable.name === name);
  if (spec === undefined || !('defaultSeconds' in spec)) {
    throw new Error(`${name} has no default number of seconds`);
  }
  return spec.defaultSeconds;
}
