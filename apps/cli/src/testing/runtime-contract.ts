// How `hla-compass test` runs a module's image, as the platform's runtime does (python-sdk.md
// §6.3): where the payload, the context and the output are, the variables the runner reads, and
// the limits the manifest's `resources` and `permissions` set. Pure: the Docker calls are in
// container-run.ts.
import { randomBytes } from 'node:crypto';
import type { Manifest } from '@hla-compass/manifest';

/** Inside the container. The SDK's `test` uses the same paths (its output dir is /var/dev-out). */
export const CONTAINER_PATHS = {
  input: '/var/input.json',
  context: '/var/context.json',
  outputDir: '/var/dev-out',
  output: '/var/dev-out/output.json',
  summary: '/var/dev-out/summary.json',
} as const;

export const RUN_MODES = ['interactive', 'async', 'workflow'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** When the manifest sets no `resources.timeout`: the SDK template's order of magnitude. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** Variables the runtime sets, which `resources.environment` cannot override. */
const RESERVED = /^(HLA_COMPASS_|HLA_API_KEY$|HLA_ACCESS_TOKEN$|HLA_API_ENDPOINT$)/;

/** Credentials handed to the container with --with-credentials: one of the two, and the API. */
export interface ContainerCredentials {
  readonly apiUrl: string;
  readonly accessToken?: string;
  readonly apiKey?: string;
}

export interface RunContextInput {
  readonly manifest: Pick<Manifest, 'name' | 'version'>;
  readonly environment: string;
  readonly mode: RunMode;
  readonly offline: boolean;
  readonly now: Date;
  /** HLA_CORRELATION_ID when the user set one, so a run can be traced with the platform's calls. */
  readonly correlationId?: string | undefined;
}

/** /var/context.json: every field the runtime requires (§6.3), with local values. */
export function runContext(input: RunContextInput): Record<string, unknown> {
  const runId = `local-${randomBytes(4).toString('hex')}`;
  return {
    run_id: runId,
    job_id: 'local',
    module_id: input.manifest.name,
    module_version: input.manifest.version,
    organization_id: 'local',
    user_id: 'local',
    roles: ['developer'],
    environment: input.environment,
    correlation_id: input.correlationId ?? runId,
    requested_at: input.now.toISOString(),
    mode: input.mode,
    offline: input.offline,
  };
}

/**
 * The mode of the run: --mode, else `execution.defaultMode`, else the first of
 * `execution.supports`, else `async` (the runner's own default). A mode the manifest does not
 * support is refused: the platform would never run the module so.
 */
export function runMode(
  requested: RunMode | undefined,
  execution: Manifest['execution'],
): { mode: RunMode } | { refused: string } {
  const supports = execution.supports;
  const mode = requested ?? execution.defaultMode ?? supports?.[0] ?? 'async';
  if (supports !== undefined && !supports.includes(mode)) {
    return {
      refused: `mode ${mode} is not in execution.supports (${supports.join(', ')})`,
    };
  }
  return { mode };
}

/** The container's variables: the manifest's `resources.environment`, then the runtime's. */
export function containerEnvironment(input: {
  readonly manifest: Pick<Manifest, 'resources'>;
  readonly environment: string;
  readonly mode: RunMode;
  readonly credentials?: ContainerCredentials | undefined;
}): string[] {
  const declared = Object.entries(input.manifest.resources?.environment ?? {})
    .filter(([name]) => !RESERVED.test(name))
    .map(([name, value]) => `${name}=${String(value)}`);
  const credentials = input.credentials;
  return [
    ...declared,
    `HLA_COMPASS_PAYLOAD=${CONTAINER_PATHS.input}`,
    `HLA_COMPASS_CONTEXT=${CONTAINER_PATHS.context}`,
    `HLA_COMPASS_OUTPUT=${CONTAINER_PATHS.output}`,
    `HLA_COMPASS_SUMMARY=${CONTAINER_PATHS.summary}`,
    `HLA_COMPASS_ENV=${input.environment}`,
    `HLA_COMPASS_RUN_MODE=${input.mode}`,
    // The SDK's switch: no API, database or storage client, so no credentials are needed.
    ...(credentials === undefined
      ? ['HLA_COMPASS_OFFLINE=1']
      : [
          `HLA_API_ENDPOINT=${credentials.apiUrl}`,
          ...(credentials.accessToken === undefined
            ? []
            : [`HLA_ACCESS_TOKEN=${credentials.accessToken}`]),
          ...(credentials.apiKey === undefined ? [] : [`HLA_API_KEY=${credentials.apiKey}`]),
        ]),
  ];
}

export interface ContainerLimits {
  /** Bytes; undefined when the manifest sets no memory (the engine's default: no limit). */
  readonly memoryBytes: number | undefined;
  /** Billionths of a CPU, as the engine's NanoCpus; undefined without `resources.vcpus`. */
  readonly nanoCpus: number | undefined;
  /** `none` unless `permissions.network` lists hosts: then the engine's default network. */
  readonly networkMode: 'none' | 'default';
  /** The hosts the manifest asks for (not enforced one by one: see networkMode). */
  readonly networkHosts: readonly string[];
  readonly timeoutSeconds: number;
}

/**
 * What the container may use, from the manifest: memory (`resources.memory`, else `memoryMb`, in
 * MB), CPUs (`resources.vcpus`, at most `hostCpus`: an engine refuses more than it has), the
 * network and the time. GPUs and ephemeral storage are not applied.
 */
export function containerLimits(
  manifest: Pick<Manifest, 'resources' | 'permissions'>,
  hostCpus: number,
): ContainerLimits {
  const resources = manifest.resources ?? {};
  const memoryMb = resources.memory ?? resources.memoryMb;
  const vcpus = resources.vcpus === undefined ? undefined : Math.min(resources.vcpus, hostCpus);
  const networkHosts = manifest.permissions?.network ?? [];
  return {
    memoryBytes: memoryMb === undefined ? undefined : memoryMb * 1024 * 1024,
    nanoCpus: vcpus === undefined ? undefined : Math.round(vcpus * 1e9),
    networkMode: networkHosts.length === 0 ? 'none' : 'default',
    networkHosts,
    timeoutSeconds: resources.timeout ?? DEFAULT_TIMEOUT_SECONDS,
  };
}
