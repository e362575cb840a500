// `hla-compass auth status`: which credentials the selected environment would use, whose they
// are, and whether the platform accepts them. Never prints a secret.
import { defineCommand } from '../../command.js';
import type { ResolvedEnvironment } from '../../config/environments.js';
import type { CommandContext } from '../../context.js';
import {
  AuthenticationError,
  type CliError,
  ExitCode,
  ServiceUnavailableError,
} from '../../errors.js';
import type { ActiveCredentials, PlatformClient } from '../../platform/client.js';
import type { StoredCredentials } from '../../platform/credentials.js';
import { describeRoles } from './login.js';

export default defineCommand({
  description:
    'Shows which credentials commands would use for the selected environment (HLA_ACCESS_TOKEN, a stored session, HLA_API_KEY or a stored API key, in that order), ' +
    'checks them with the platform, and prints the user, org and roles. Exits 0 when authenticated, 3 when not, 4 when the platform cannot be reached.',
  options: {},
  examples: [
    { command: 'hla-compass auth status --env dev', description: 'am I logged in to dev?' },
    { command: 'hla-compass auth status --json', description: 'for scripts (no secrets in it)' },
  ],
  async run(_input, context) {
    const platform = await context.platform();
    const credentials = await platform.credentials();
    const seen = localStatus(platform.environment, credentials);
    if (credentials === undefined) return reportNotLoggedIn(seen, context);
    try {
      const me = await platform.me();
      // The check may have renewed an expired session: show the session in use now, not the
      // expiry read before the check.
      const current = (await platform.credentials())?.stored;
      reportLoggedIn({ ...seen, ...sessionExpiry(current) }, me, context);
      return undefined;
    } catch (error) {
      if (!(error instanceof AuthenticationError || error instanceof ServiceUnavailableError)) {
        throw error;
      }
      return reportRefused(seen, error, context);
    }
  },
});

/** What the status says before asking the platform: the environment and the credentials found. */
type LocalStatus = ReturnType<typeof localStatus>;

function localStatus(environment: ResolvedEnvironment, credentials: ActiveCredentials | undefined) {
  const stored = credentials?.stored;
  return {
    environment: environment.name,
    apiUrl: environment.apiUrl,
    source: credentials?.source ?? null,
    method: stored?.method ?? null,
    expiresAt: stored?.expiresAt ?? null,
    // Whether the stored session can be renewed when it expires (null: not a stored session).
    refreshable: credentials?.source === 'stored token' ? stored?.refreshToken !== undefined : null,
  };
}

function sessionExpiry(stored: StoredCredentials | undefined): { expiresAt?: string } {
  return stored?.expiresAt === undefined ? {} : { expiresAt: stored.expiresAt };
}

function reportNotLoggedIn(seen: LocalStatus, context: CommandContext): ExitCode {
  context.output.result({ ...seen, authenticated: false }, () => [
    `Not logged in to ${seen.environment} (${seen.apiUrl})`,
    `Run \`hla-compass auth login --env ${seen.environment}\`, or set HLA_ACCESS_TOKEN or HLA_API_KEY.`,
  ]);
  return ExitCode.unauthenticated;
}

function reportLoggedIn(
  seen: LocalStatus,
  me: Awaited<ReturnType<PlatformClient['me']>>,
  context: CommandContext,
): void {
  context.output.result(
    {
      ...seen,
      authenticated: true,
      user: me.user ?? null,
      org: me.org ?? null,
      roles: me.roles ?? null,
      superuser: me.superuser ?? null,
    },
    (result) => [
      `${context.output.style.green('✓')} Logged in to ${result.environment} (${result.apiUrl}) as ${result.user?.email ?? 'unknown user'}`,
      `org          ${result.org?.name ?? 'unknown'} (${result.org?.id ?? '-'})`,
      `roles        ${describeRoles(result.roles, result.superuser)}`,
      `credentials  ${result.source}${result.expiresAt ? `, session until ${result.expiresAt}` : ''}${result.refreshable === false ? ' (no refresh token: run `hla-compass auth login` again when it expires)' : ''}`,
    ],
  );
}

/** The platform refused the credentials or could not be reached: the exit code says which. */
function reportRefused(seen: LocalStatus, problem: CliError, context: CommandContext): ExitCode {
  context.output.result(
    { ...seen, authenticated: false, error: { code: problem.code, message: problem.message } },
    (result) => [
      `${context.output.style.red('✗')} ${result.environment} (${result.apiUrl}): ${problem.message}`,
      `credentials  ${result.source}`,
    ],
  );
  if (problem.hint) context.logger.hint(problem.hint);
  return problem.exitCode;
}
