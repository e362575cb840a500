// `hla-compass auth login`: signs in to one environment (browser with PKCE, or the hosted
// console's token payload; email + password from stdin; or an API key from stdin) and stores the
// credentials for that environment only.
import { defineCommand, type OptionValues, option } from '../../command.js';
import type { CommandContext } from '../../context.js';
import { AuthenticationError, UsageError } from '../../errors.js';
import { browserLogin } from '../../platform/browser-login.js';
import type { PlatformClient } from '../../platform/client.js';
import { type StoredCredentials, writeCredentials } from '../../platform/credentials.js';
import type { SessionTokens } from '../../platform/hosted-answers.js';
import { readSecretFromStdin } from '../../stdin.js';

const loginOptions = {
  email: option.string('--email <email>', 'sign in with this email and a password from stdin'),
  passwordStdin: option.flag('--password-stdin', 'read the password from standard input'),
  apiKeyStdin: option.flag('--api-key-stdin', 'store an API key read from standard input'),
  browser: option.negatable('--no-browser', 'print the sign-in URL instead of opening a browser'),
};

export default defineCommand({
  description:
    'Signs in to the selected environment and stores its credentials in <config dir>/credentials/<env>.json (mode 0600), bound to the API URL that issued them. ' +
    'By default it opens the console sign-in page in a browser and receives the answer on 127.0.0.1 (PKCE S256); --no-browser prints the URL instead. ' +
    'For scripts: --email with --password-stdin, or --api-key-stdin. Secrets are read from standard input, never from flags.',
  options: loginOptions,
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
    const choice = signInChoice(options);
    const platform = await context.platform();
    const signedIn = await signIn(choice, platform, context);
    const me = await checkWithPlatform(platform, signedIn);
    const credentials = {
      ...signedIn.credentials,
      ...(me.user?.email === undefined ? {} : { email: me.user.email }),
    };
    const path = await writeCredentials(context.configDir, credentials);
    reportLogin(context, credentials, me, path);
    return undefined;
  },
});

/** The sign-in the flags ask for, with what it needs from them. */
type SignInChoice =
  | { readonly method: 'api-key' }
  | { readonly method: 'password'; readonly email: string }
  | { readonly method: 'browser'; readonly openBrowser: boolean };

type Identity = Awaited<ReturnType<PlatformClient['meWith']>>;

/** The credentials a sign-in produced, and the headers that prove them to the platform. */
interface SignedIn {
  readonly credentials: StoredCredentials;
  readonly headers: Record<string, string>;
}

/** Which sign-in the flags ask for; refuses the combinations that mean two at once or half of one. */
function signInChoice(options: OptionValues<typeof loginOptions>): SignInChoice {
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
  if (options.apiKeyStdin) return { method: 'api-key' };
  if (options.email !== undefined) return { method: 'password', email: options.email };
  return { method: 'browser', openBrowser: options.browser };
}

async function signIn(
  choice: SignInChoice,
  platform: PlatformClient,
  context: CommandContext,
): Promise<SignedIn> {
  const environment = platform.environment;
  const base = {
    version: 1 as const,
    environment: environment.name,
    apiUrl: environment.apiUrl,
    savedAt: new Date().toISOString(),
  };
  if (choice.method === 'api-key') {
    const apiKey = await readSecretFromStdin(context.stdin, '--api-key-stdin');
    return {
      headers: { 'x-api-key': apiKey },
      credentials: { ...base, method: 'api-key', apiKey },
    };
  }
  const tokens =
    choice.method === 'password'
      ? await platform.login(
          choice.email,
          await readSecretFromStdin(context.stdin, '--password-stdin'),
        )
      : await signInWithBrowser(choice.openBrowser, platform, context);
  return {
    headers: { authorization: `Bearer ${tokens.accessToken}` },
    credentials: {
      ...base,
      method: choice.method,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(Date.now() + tokens.expiresIn * 1000).toISOString(),
    },
  };
}

function signInWithBrowser(
  openBrowser: boolean,
  platform: PlatformClient,
  context: CommandContext,
): Promise<SessionTokens> {
  return browserLogin({
    consoleUrl: platform.environment.consoleUrl,
    environment: platform.environment.name,
    openBrowser,
    timeoutMs: context.settings.seconds('HLA_COMPASS_CLI_LOGIN_TIMEOUT_SECONDS') * 1000,
    logger: context.logger,
    exchange: (code, verifier, redirectUri) => platform.exchangeCode(code, verifier, redirectUri),
  });
}

/** Who the new credentials belong to; nothing is stored unless the platform accepts them. */
async function checkWithPlatform(platform: PlatformClient, signedIn: SignedIn): Promise<Identity> {
  try {
    return await platform.meWith(signedIn.headers);
  } catch (error) {
    if (error instanceof AuthenticationError && signedIn.credentials.method === 'api-key') {
      throw new AuthenticationError(`${platform.environment.name} refused the API key`, {
        requestId: error.requestId,
        hint: 'check the key (API keys are shown once when they are created)',
      });
    }
    throw error;
  }
}

function reportLogin(
  context: CommandContext,
  credentials: StoredCredentials,
  me: Identity,
  path: string,
): void {
  context.output.result(
    {
      environment: credentials.environment,
      apiUrl: credentials.apiUrl,
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
}

/** null or undefined: the platform's answer did not say. */
export function describeRoles(
  roles: readonly string[] | null | undefined,
  superuser: boolean | null | undefined,
): string {
  if (roles == null && superuser == null) return 'unknown';
  const all = superuser ? [...(roles ?? []), 'superuser'] : [...(roles ?? [])];
  return all.length > 0 ? all.join(', ') : 'none';
}
