// The console sign-in page (`/<env>/cli-login`, SPEC §4): a server-rendered form; on success it
// redirects to the CLI's loopback listener with a single-use code bound to the PKCE challenge.
import { PlatformError } from '@hla-compass/platform-api';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { z } from 'zod';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { peerAddress } from '../http/peer.js';
import { CODE_CHALLENGE_PATTERN, loopbackRedirectProblem } from '../services/pkce.js';
import { checkPassword, createAuthCode } from '../services/sessions.js';

const signInParamsSchema = z.object({
  redirect_uri: z.string().min(1).max(2048),
  state: z.string().min(1).max(512),
  code_challenge: z.string().regex(CODE_CHALLENGE_PATTERN, 'must be 43 characters of base64url'),
  code_challenge_method: z.literal('S256').default('S256'),
});
type SignInParams = z.output<typeof signInParamsSchema>;

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

function page(
  context: EnvContext,
  title: string,
  body: HtmlEscapedString | Promise<HtmlEscapedString>,
) {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title} · HLA-Compass ${context.name}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.2rem}.error{color:#b00020}.env{color:#666}</style></head>
<body><h1>HLA-Compass</h1><p class="env">Local platform emulator · environment <b>${context.name}</b></p>
${body}</body></html>`;
}

function errorPage(c: Context<AppEnv>, context: EnvContext, status: 400 | 429, message: string) {
  return c.html(
    page(
      context,
      'Sign-in refused',
      html`<p class="error" role="alert">${message}</p>
<p>Start the sign-in again from the CLI: <code>hla-compass auth login --env ${context.name}</code>.</p>`,
    ),
    status,
    SECURITY_HEADERS,
  );
}

function formPage(
  c: Context<AppEnv>,
  context: EnvContext,
  params: SignInParams,
  status: 200 | 401 | 429,
  error?: string,
  email = '',
) {
  return c.html(
    page(
      context,
      'Sign in',
      html`<p>Sign in to let the <b>hla-compass</b> CLI act for you.</p>
${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<form method="post">
<input type="hidden" name="redirect_uri" value="${params.redirect_uri}">
<input type="hidden" name="state" value="${params.state}">
<input type="hidden" name="code_challenge" value="${params.code_challenge}">
<input type="hidden" name="code_challenge_method" value="${params.code_challenge_method}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${email}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="env">You will be sent back to the CLI at ${new URL(params.redirect_uri).host}.</p>`,
    ),
    status,
    SECURITY_HEADERS,
  );
}

/** The sign-in parameters, or the reason the page refuses them (it then never redirects). */
function signInParams(input: Record<string, unknown>): SignInParams | string {
  const parsed = signInParamsSchema.safeParse(input);
  if (!parsed.success) {
    return `Invalid sign-in link: ${parsed.error.issues
      .map((issue) => `${issue.path.join('.')} ${issue.message}`)
      .join('; ')}`;
  }
  const problem = loopbackRedirectProblem(parsed.data.redirect_uri);
  return problem === null ? parsed.data : `Invalid sign-in link: ${problem}`;
}

export function registerConsoleRoutes(app: Hono<AppEnv>, context: EnvContext): void {
  app.get('/cli-login', (c) => {
    const params = signInParams(c.req.query());
    if (typeof params === 'string') return errorPage(c, context, 400, params);
    return formPage(c, context, params, 200);
  });

  app.post('/cli-login', async (c) => {
    const form = await c.req.parseBody();
    const params = signInParams(form);
    if (typeof params === 'string') return errorPage(c, context, 400, params);
    const credentials = credentialsSchema.safeParse(form);
    if (!credentials.success) {
      return formPage(c, context, params, 401, 'Enter your email and password.');
    }
    const { email, password } = credentials.data;
    try {
      const user = await checkPassword(context, peerAddress(c), email, password);
      const code = createAuthCode(context, user.id, params.code_challenge, params.redirect_uri);
      const target = new URL(params.redirect_uri);
      target.searchParams.set('code', code);
      target.searchParams.set('state', params.state);
      return c.redirect(target.toString(), 302);
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      if (error.code === 'RATE_LIMITED') {
        c.header('Retry-After', String(error.retryAfter ?? 60));
        return formPage(c, context, params, 429, error.message, email);
      }
      return formPage(c, context, params, 401, 'Wrong email or password.', email);
    }
  });
}
