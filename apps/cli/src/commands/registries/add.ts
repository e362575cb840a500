// `hla-compass registries add PATTERN`: lets an org publish images from more repositories, with
// optional pull credentials for a private registry. The password is read from stdin, sent once,
// and never printed: the platform answers with `hasCredentials` only.
import { REGISTRY_PROVIDERS, type RegistryProvider } from '@hla-compass/platform-api';
import { defineCommand, type OptionSpec, option } from '../../command.js';
import { UsageError } from '../../errors.js';
import { readSecretFromStdin } from '../../stdin.js';
import { allowlistOrg, orgOption } from './org.js';

/** Optional: the platform infers the provider from the pattern's host when it is left out. */
const providerOption: OptionSpec<RegistryProvider | undefined> = {
  flags: '--provider <name>',
  description:
    "the registry's kind (default: inferred from the host: ghcr.io, docker.io, else generic)",
  choices: REGISTRY_PROVIDERS,
  convert: (raw, flag) => {
    if (raw === undefined) return undefined;
    if (typeof raw === 'string' && (REGISTRY_PROVIDERS as readonly string[]).includes(raw)) {
      return raw as RegistryProvider;
    }
    throw new UsageError(
      `${flag} must be one of ${REGISTRY_PROVIDERS.join(', ')}, got "${String(raw)}"`,
    );
  },
};

export default defineCommand({
  description:
    "Adds a pattern to your org's registry allowlist in the selected environment (org admins), so that developers may publish images from it. " +
    'PATTERN is a normalized repository (`docker.io/library/…`, lowercase, host with port), or one followed by `/*` for every repository below it. ' +
    'For a private registry, give the credentials the platform pulls with: --username and the password (or token) on standard input with --password-stdin. ' +
    'They are stored write-only: no command, answer or output shows them again. Needs an explicit --env.',
  arguments: [
    {
      name: 'pattern',
      description: 'e.g. ghcr.io/your-org/* or 127.0.0.1:5000/your-team/*',
      required: true,
    },
  ],
  options: {
    provider: providerOption,
    username: option.string('--username <user>', 'pull credentials: the user name'),
    passwordStdin: option.flag(
      '--password-stdin',
      'pull credentials: read the password or token from standard input',
    ),
    org: orgOption,
  },
  examples: [
    {
      command: "hla-compass registries add 'ghcr.io/your-org/*' --env dev",
      description: 'allow every repository under ghcr.io/your-org',
    },
    {
      command:
        'printf %s "$GHCR_TOKEN" | hla-compass registries add \'ghcr.io/your-org/*\' --env prod --username ci-bot --password-stdin',
      description: 'a private registry, with the pull token the platform uses',
    },
    {
      command:
        "hla-compass registries add '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/*' --provider ecr --env staging",
      description: 'an ECR namespace',
    },
  ],
  async run({ args, options }, context) {
    if (options.passwordStdin !== (options.username !== undefined)) {
      throw new UsageError('pull credentials need both --username and --password-stdin', {
        hint: `printf %s "$TOKEN" | hla-compass registries add '${args.pattern}' --env E --username USER --password-stdin`,
      });
    }
    // Before any request, so a missing password fails without touching the platform.
    const credentials =
      options.username === undefined
        ? undefined
        : {
            username: options.username,
            password: await readSecretFromStdin(context.stdin, '--password-stdin'),
          };
    const platform = await context.platform({ requireEnvironment: true });
    const org = await allowlistOrg(platform, options.org);
    const entry = await platform.createRegistry(org.id, {
      pattern: args.pattern,
      ...(options.provider === undefined ? {} : { provider: options.provider }),
      ...(credentials === undefined ? {} : { credentials }),
    });
    context.output.result(
      { environment: platform.environment.name, org, registry: entry },
      (result) => [
        `${context.output.style.green('✓')} Added ${result.registry.pattern} to ${result.org.name}'s registry allowlist in ${result.environment}`,
        `provider     ${result.registry.provider}`,
        `credentials  ${result.registry.hasCredentials ? 'stored (write-only)' : 'none'}`,
        `id           ${result.registry.id}`,
      ],
    );
    return undefined;
  },
});
