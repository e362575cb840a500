// `hla-compass auth login`: signs in to one environment (browser with PKCE, or the hosted
// console's token payload; email + password from stdin; or an API key from stdin) and stores the
// credentials for that environment only.
import { defineCommand, option } from '../../command.js';
import { AuthenticationError, UsageError } from '../../errors.js';
import { browserLogin } from '../../platform/browser-login.js';
import { type StoredCredentials, writeCredentials } from '../../platform/credentials.js';
import { readSecretFromStdin } from '../../stdin.js';

export default defineCommand({
  description:
    'Signs in to the selected environment and stores its credentials in <config dir>/credentials/<env>.json (mode 0600), bound to the API URL that issued them. ' +
    'By default it opens the console sign-in page in a browser and receives the answer on 127.0.0.1 (PKCE S256); --no-browser prints the URL instead. ' +
    'For scripts: --email with --password-stdin, or --api-key-stdin. Secrets are read from standard input, never from flags.',
  options: {
    email: option.string('--email <email>', 'sign in with this email and a password from stdin'),
    passwordStdin: option.flag('--password-stdin', 'read the password from standard input'),
    apiKeyStdin: option.flag('--api-key-stdin', 'store an API key read from standard input'),
    browser: option.negatable('--no-browser', 'print the sign-in URL instead of opening a browser'),
  },
  examples: [
    { command: 'hla-compass auth login --env dev', description: 'sign in with the browser' },
    {
      command:
        'printf %s "$PASSWORD" | hla-compass auth login --env local --email dev@your-org.example --password-stdin',
      description: 'password sign-in for scripts',
    },
    {
      command: 'printf %s "$HLA_KEY" | hla-compass auth login --env prod --api-key-stdin',
      description: 'store an API key',
    },
  ],
  async run({ options }, context) {
    if (options.apiKeyStdin && (options.email !== undefined || options.passwordStdin)) {
      throw new UsageError('use either --api-key-stdin or --email with --password-stdin, not both');
    }
    if (options.passwordStdin && options.email === undefined) {
      throw new UsageError('--password-stdin needs --email');
    }
    if (options.email !== undefined && !options.passwordStdin) {
      throw new UsageError(
        '--email needs --password-stdin (the password is read from standard input)',
        {
          hint: 'or run `hla-compass auth login` without --email to sign in with the browser',
        },
      );
    }
    const platform = await context.platform();
    const environment = platform.environment;
    const base = {
      version: 1 as const,
      environment: environment.name,
      apiUrl: environment.apiUrl,
      savedAt: new Date().toISOString(),
    };

    let credentials: StoredCredentials;
    let headers: Record<string, string>;
    if (options.apiKeyStdin) {
      const apiKey = await readSecretFromStdin(context.stdin, '--api-key-stdin');
      headers = { 'x-api-key': apiKey };
      credentials = { ...base, method: 'api-key', apiKey };
    } else {
      const tokens =
        options.email !== undefined
          ? await platform.login(
              options.email,
              await readSecretFromStdin(context.stdin, '--password-stdin'),
            )
          : await browserLogin({
              consoleUrl: environment.consoleUrl,
              environment: environment.name,
              openBrowser: options.browser,
              timeoutMs:
                context.settings.seconds('HLA_COMPASS_CLI_LOGIN_TIMEOUT_SECONDS', 600) * 1000,
              logger: context.logger,
              exchange: (code, verifier, redirectUri) =>
                platform.exchangeCode(code, verifier, redirectUri),
            });
      headers = { authorization: `Bearer ${tokens.accessToken}` };
      credentials = {
        ...base,
        method: options.email !== undefined ? 'password' : 'browser',
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiresAt: new Date(Date.now() + tokens.expiresIn * 1000).toISOString(),
      };
    }

    const me = await platform.meWith(headers).catch((error: unknown) => {
      if (error instanceof AuthenticationError && options.apiKeyStdin) {
        throw new AuthenticationError(`${environment.name} refused the API key`, {
          requestId: error.requestId,
          hint: 'check the key (API keys are shown once when they are created)',
        });
      }
      throw error;
    });
    const path = await writeCredentials(context.configDir, {
      ...credentials,
      ...(me.user?.email === undefined ? {} : { email: me.user.email }),
    });
    context.output.result(
      {
        environment: environment.name,
        apiUrl: environment.apiUrl,
        method: credentials.method,
        user: me.user ?? null,
        org: me.org ?? null,
        roles: me.roles ?? null,
        superuser: me.superuser ?? null,
        credentialsPath: path,
      },
      (result) => [
        `${context.output.style.green('✓')} Logged in to ${result.environment} as ${result.user?.email ?? 'unknown user'} (org ${result.org?.name ?? 'unknown'}; roles: ${describeRoles(result.roles, result.superuser)})`,
        `credentials  ${result.credentialsPath}`,
        ...(credentials.method !== 'api-key' && credentials.refreshToken === undefined
          ? [
              `session      until ${credentials.expiresAt}; the platform gave no refresh token, so log in again then`,
            ]
          : []),
      ],
    );
    return undefined;
  },
});

/** null or undefined: the platform's answer did not say. */
export function describeRoles(
  roles: readonly string[] | null | undefined,
  superuser: boolean | null | undefined,
): string {
  if (roles == null && superuser == null) return 'unknown';
  const all = superuser ? [...(roles ?? []), 'superuser'] : [...(roles ?? [])];
  return all.length > 0 ? all.join(', ') : 'none';
}
