// What `hla-compass-platform start` prints once it is ready: where each env is, the seeded
// accounts with their dev-only secrets, the control token of /_emulator, and the lines that
// point the CLI at the emulator.
import { ENVIRONMENTS } from '@hla-compass/platform-api';
import { CONTROL_TOKEN_ENV, CONTROL_TOKEN_HEADER } from './http/control-token.js';
import { type Seed, seededPolicy } from './services/seed.js';

export interface BannerInput {
  url: string;
  readyMs: number;
  dataDir: string | undefined;
  seed: Seed;
  registry: string;
  controlToken: string;
  /** More names it is reached by (--allowed-host), as given. */
  reachedAs?: readonly string[];
  /** Registries checked at another address (--registry-endpoint). */
  registryEndpoints?: ReadonlyMap<string, string>;
  /** Whether it listens where other machines (or containers) can connect, not loopback only. */
  remoteClients?: boolean;
}

/** The line tools read the control token from (testkit's emulator does). */
export function controlTokenLine(token: string): string {
  return `  ${CONTROL_TOKEN_HEADER}: ${token}`;
}

export function listeningLine(url: string): string {
  return `hla-compass-platform listening on ${url}`;
}

export function banner(input: BannerInput): string[] {
  const { url, seed } = input;
  const lines = [
    listeningLine(input.url),
    `ready in ${input.readyMs} ms · data: ${input.dataDir ?? 'in memory (--memory)'}`,
  ];
  if (input.reachedAs !== undefined && input.reachedAs.length > 0) {
    lines.push(`also reached as: ${input.reachedAs.join(', ')}`);
  }
  if (input.remoteClients === true) {
    lines.push(
      'listening beyond loopback: other machines and containers may connect; /_emulator/* answers any client with the control token',
    );
  }
  lines.push('', 'Environments (API base URL = console URL; sign-in page at <url>/cli-login):');
  for (const env of ENVIRONMENTS) {
    const policy = seededPolicy(seed, env);
    lines.push(
      `  ${env.padEnd(8)} ${`${url}/${env}`.padEnd(36)} requireSignature=${policy.requireSignature} legacySignatureKeys=${policy.legacySignatureKeys}`,
    );
  }
  lines.push(
    `  health ${url}/healthz · OpenAPI ${url}/openapi.json`,
    '',
    `Registry: ${input.registry}`,
    ...[...(input.registryEndpoints ?? [])].map(
      ([name, address]) => `  images of ${name} are checked at ${address}`,
    ),
    '',
    `Control routes (/_emulator/reset, /_emulator/seed) want this header; it changes at every start unless ${CONTROL_TOKEN_ENV} sets it:`,
    controlTokenLine(input.controlToken),
    `  curl -X POST -H 'Content-Type: application/json' -H '${CONTROL_TOKEN_HEADER}: ${input.controlToken}' ${url}/_emulator/reset`,
    '',
  );
  lines.push('Seeded accounts — DEV-ONLY credentials, public, valid only against this emulator:');
  for (const user of seed.users) {
    const role = [...user.roles, ...(user.superuser ? ['superuser'] : [])].join('+');
    lines.push(`  ${user.email.padEnd(30)} ${user.org.padEnd(10)} ${role.padEnd(20)}`);
    if (user.password !== undefined) lines.push(`      password ${user.password}`);
    if (user.apiKey !== undefined) lines.push(`      API key  ${user.apiKey}`);
  }
  const environments = Object.fromEntries(
    ENVIRONMENTS.map((env) => [env, { apiUrl: `${url}/${env}`, consoleUrl: `${url}/${env}` }]),
  );
  lines.push(
    '',
    'Point the CLI at the emulator: merge into ~/.hla-compass/config.json (or $HLA_COMPASS_CONFIG_DIR/config.json):',
    JSON.stringify({ environments }, null, 2),
    'or, for one shell and one env:',
    `  export HLA_API_ENDPOINT=${url}/dev`,
    '',
    'Ctrl-C stops the emulator and the registry it started.',
  );
  return lines;
}
