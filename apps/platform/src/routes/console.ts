// The console sign-in page (`/<env>/cli-login`, SPEC §4, §6a): a server-rendered form; on
// success it redirects to the CLI's loopback listener, with a single-use code bound to the PKCE
// challenge, or, for a link without a challenge (the Python SDK 2.0.13), with the tokens.
import { PlatformError } from '@hla-compass/platform-api';
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import * as z from 'zod';
import { FormToken } from '../console/form-token.js';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { peerAddress } from '../http/peer.js';
import {
  CODE_CHALLENGE_PATTERN,
  callbackUrl,
  loopbackRedirectProblem,
  sdkCallbackPayload,
} from '../services/pkce.js';
import { checkPassword, createAuthCode, startSession } from '../services/sessions.js';

const signInLinkSchema = z.object({
  redirect_uri: z.string().min(1).max(2048),
  state: z.string().min(1).max(512),
  code_challenge: z
    .string()
    .regex(CODE_CHALLENGE_PATTERN, 'must be 43 characters of base64url')
    .optional(),
  code_challenge_method: z.literal('S256').optional(),
});

/**
 * What the page answers is fixed by the link the CLI opened: with a `code_challenge`, a code for
 * `POST /v1/auth/token` (`pkce`); without one, the Python SDK's flow (`legacy`): the tokens
 * themselves, in `payload`.
 *
 * The form repeats the link in hidden fields and names its flow; a POST whose fields disagree
 * with that name is refused, so a form that lost its challenge is never answered without PKCE by
 * accident. A deliberate downgrade cannot be stopped by a page that keeps no state (anyone may
 * open a link without a challenge), and need not be: it changes what the redirect carries, never
 * where it goes (the loopback `redirect_uri` and `state` the client started with), and whoever
 * can rewrite the POST also holds the password typed into it.
 *
 * Without PKCE, whoever catches the redirect holds working tokens, not a code that is useless
 * without the verifier. That is acceptable for loopback redirect URIs only: the redirect never
 * leaves the user's machine, while a link naming any other host would hand that host the tokens.
 */
type SignIn = { redirect_uri: string; state: string } & (
  | { flow: 'pkce'; code_challenge: string; code_challenge_method: 'S256' }
  | { flow: 'legacy' }
);
const formFlowSchema = z.object({ flow: z.enum(['pkce', 'legacy']) });

const credentialsSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(1024),
});

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'X-Frame-Options': 'DENY',
  // Not no-referrer: with it, browsers post the form with `Origin: null`, which the emulator
  // refuses as a foreign origin. same-origin still sends nothing to the CLI's callback.
  'Referrer-Policy': 'same-origin',
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

function errorPage(
  c: Context<AppEnv>,
  context: EnvContext,
  status: 400 | 403 | 429,
  message: string,
) {
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
  signIn: SignIn,
  formToken: string,
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
<input type="hidden" name="redirect_uri" value="${signIn.redirect_uri}">
<input type="hidden" name="state" value="${signIn.state}">
<input type="hidden" name="flow" value="${signIn.flow}">
<input type="hidden" name="csrf_token" value="${formToken}">
${
  signIn.flow === 'pkce'
    ? html`<input type="hidden" name="code_challenge" value="${signIn.code_challenge}">
<input type="hidden" name="code_challenge_method" value="${signIn.code_challenge_method}">`
    : ''
}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${email}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<p class="env">You will be sent back to the CLI at ${new URL(signIn.redirect_uri).host}${
        signIn.flow === 'legacy' ? ', with your tokens (a sign-in without PKCE)' : ''
      }.</p>`,
    ),
    status,
    SECURITY_HEADERS,
  );
}

/** How long a served form can be submitted: longer than anyone takes to type a password. */
const FORM_LIFETIME_MS = 60 * 60 * 1000;

/** What a sign-in form's CSRF token is bound to: the env (by its key) and the link's fields. */
const signInFields = (signIn: SignIn): string[] => [
  signIn.redirect_uri,
  signIn.state,
  signIn.flow,
  signIn.flow === 'pkce' ? signIn.code_challenge : '',
];

const invalid = (what: string, problems: string) => `Invalid sign-in ${what}: ${problems}`;

/**
 * The sign-in a link (`cli-login?…`) asks for, or the reason the page refuses it (it then never
 * redirects).
 */
function signInFromLink(input: Record<string, unknown>): SignIn | string {
  const parsed = signInLinkSchema.safeParse(input);
  if (!parsed.success) {
    return invalid(
      'link',
      parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; '),
    );
  }
  const { redirect_uri, state, code_challenge, code_challenge_method } = parsed.data;
  const problem = loopbackRedirectProblem(redirect_uri);
  if (problem !== null) return invalid('link', problem);
  if (code_challenge !== undefined) {
    return { redirect_uri, state, flow: 'pkce', code_challenge, code_challenge_method: 'S256' };
  }
  // A client that names a method means PKCE; answering it without would skip its check.
  if (code_challenge_method !== undefined) {
    return invalid('link', 'code_challenge_method without a code_challenge');
  }
  return { redirect_uri, state, flow: 'legacy' };
}

/** The sign-in a submitted form carries: its link's fields, which must agree with its `flow`. */
function signInFromForm(form: Record<string, unknown>): SignIn | string {
  const signIn = signInFromLink(form);
  if (typeof signIn === 'string') return signIn;
  const named = formFlowSchema.safeParse(form);
  if (!named.success) return invalid('form', 'flow must be pkce or legacy');
  if (named.data.flow !== signIn.flow) {
    return invalid(
      'form',
      `flow ${named.data.flow} with${signIn.flow === 'pkce' ? '' : 'out'} a code_challenge`,
    );
  }
  return signIn;
}

/** The loopback URL the browser is sent to once the password is right. */
function callbackFor(context: EnvContext, signIn: SignIn, userId: string): string {
  if (signIn.flow === 'pkce') {
    const code = createAuthCode(context, userId, signIn.code_challenge, signIn.redirect_uri);
    return callbackUrl(signIn.redirect_uri, { code, state: signIn.state });
  }
  const payload = sdkCallbackPayload(startSession(context, userId));
  return callbackUrl(signIn.redirect_uri, { state: signIn.state, payload });
}

export function registerConsoleRoutes(app: Hono<AppEnv>, context: EnvContext): void {
  const formToken = new FormToken(context.name, FORM_LIFETIME_MS);
  const reply = (
    c: Context<AppEnv>,
    signIn: SignIn,
    status: 200 | 401 | 429,
    error?: string,
    email?: string,
  ) =>
    formPage(
      c,
      context,
      signIn,
      formToken.issue(signInFields(signIn), context.now()),
      status,
      error,
      email,
    );

  app.get('/cli-login', (c) => {
    const signIn = signInFromLink(c.req.query());
    if (typeof signIn === 'string') return errorPage(c, context, 400, signIn);
    return reply(c, signIn, 200);
  });

  app.post('/cli-login', async (c) => {
    const form = await c.req.parseBody();
    const signIn = signInFromForm(form);
    if (typeof signIn === 'string') return errorPage(c, context, 400, signIn);
    // Before the password is looked at: a forged post learns nothing, nor counts as a failure.
    if (!formToken.isValid(form.csrf_token, signInFields(signIn), context.now())) {
      return errorPage(
        c,
        context,
        403,
        'This sign-in form was not served by this console, or it has expired (CSRF token missing or wrong).',
      );
    }
    const credentials = credentialsSchema.safeParse(form);
    if (!credentials.success) {
      return reply(c, signIn, 401, 'Enter your email and password.');
    }
    const { email, password } = credentials.data;
    try {
      const user = await checkPassword(context, peerAddress(c), email, password);
      // The location carries a code or tokens: not to be cached, nor sent on as a referrer.
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
      return c.redirect(callbackFor(context, signIn, user.id), 302);
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      if (error.code === 'RATE_LIMITED') {
        c.header('Retry-After', String(error.retryAfter ?? 60));
        return reply(c, signIn, 429, error.message, email);
      }
      return reply(c, signIn, 401, 'Wrong email or password.', email);
    }
  });
}
