// `hla-compass auth status`: which credentials the selected environment would use, whose they
// are, and whether the platform accepts them. Never prints a secret.
import { defineCommand } from '../../command.js';
import {
  AuthenticationError,
  type CliError,
  ExitCode,
  ServiceUnavailableError,
} from '../../errors.js';
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
    const environment = platform.environment;
    const credentials = await platform.credentials();
    const stored = credentials?.stored;
    const base = {
      environment: environment.name,
      apiUrl: environment.apiUrl,
      source: credentials?.source ?? null,
      method: stored?.method ?? null,
      expiresAt: stored?.expiresAt ?? null,
      // Whether the stored session can be renewed when it expires (null: not a stored session).
      refreshable:
        credentials?.source === 'stored token' ? stored?.refreshToken !== undefined : null,
    };
    if (credentials === undefined) {
      context.output.result({ ...base, authenticated: false }, () => [
        `Not logged in to ${environment.name} (${environment.apiUrl})`,
        `Run \`hla-compass auth login --env ${environment.name}\`, or set HLA_ACCESS_TOKEN or HLA_API_KEY.`,
      ]);
      return ExitCode.unauthenticated;
    }
    try {
      const me = await platform.me();
      // The check may have renewed an expired session: show the session in use now, not the
      // expiry read before the check.
      const current = (await platform.credentials())?.stored;
      context.output.result(
        {
          ...base,
          ...(current?.expiresAt === undefined ? {} : { expiresAt: current.expiresAt }),
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
      return undefined;
    } catch (error) {
      if (!(error instanceof AuthenticationError || error instanceof ServiceUnavailableError)) {
        throw error;
      }
      const problem = error as CliError;
      context.output.result(
        { ...base, authenticated: false, error: { code: problem.code, message: problem.message } },
        (result) => [
          `${context.output.style.red('✗')} ${result.environment} (${result.apiUrl}): ${problem.message}`,
          `credentials  ${result.source}`,
        ],
      );
      if (problem.hint) context.logger.hint(problem.hint);
      return problem.exitCode;
    }
  },
});
