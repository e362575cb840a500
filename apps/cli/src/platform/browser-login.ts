// The browser sign-in of SPEC §4: a one-shot server on 127.0.0.1, the console's /cli-login page
// opened with a PKCE S256 challenge and a state, and the returned code exchanged for tokens. The
// hosted console ignores the challenge and sends the tokens themselves in `payload` instead
// (python-sdk.md §4.2); both answers are taken once their state matches.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthenticationError } from '../errors.js';
import type { Logger } from '../terminal.js';
import { readBrowserPayload, type SessionTokens } from './hosted-answers.js';

export interface BrowserLoginOptions {
  readonly consoleUrl: string;
  readonly environment: string;
  readonly timeoutMs: number;
  /** False with --no-browser: the URL is printed and the user opens it. */
  readonly openBrowser: boolean;
  readonly logger: Logger;
  exchange(code: string, codeVerifier: string, redirectUri: string): Promise<SessionTokens>;
}

/** RFC 7636: a 256-bit verifier (43 base64url characters) and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function browserLogin(options: BrowserLoginOptions): Promise<SessionTokens> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(24).toString('base64url');
  let settle: { resolve(tokens: SessionTokens): void; reject(error: unknown): void } | undefined;
  const outcome = new Promise<SessionTokens>((resolve, reject) => {
    settle = { resolve, reject };
  });
  let redirectUri = '';
  let handled = false;

  const server = createServer((request, response) => {
    void handleCallback(request, response);
  });
  async function handleCallback(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== '/cli-callback') {
      reply(response, 404, 'Not found', 'This address only receives the HLA-Compass sign-in.');
      return;
    }
    if (handled) {
      reply(response, 409, 'Already used', 'This sign-in is already complete.');
      return;
    }
    // A request without our state is not from the sign-in we started: refuse it, keep waiting.
    if (!sameSecret(url.searchParams.get('state') ?? '', state)) {
      reply(
        response,
        400,
        'Sign-in failed',
        'The sign-in answer did not match this terminal session.',
      );
      return;
    }
    handled = true;
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    const payload = url.searchParams.get('payload');
    if (error !== null || (code === null && payload === null)) {
      const reason = error ?? 'no code or payload in the answer';
      reply(response, 400, 'Sign-in failed', `The console said: ${reason}`);
      settle?.reject(new AuthenticationError(`the console refused the sign-in: ${reason}`));
      return;
    }
    // A code is preferred when both come: only this terminal's verifier can redeem it.
    if (code !== null) {
      try {
        const tokens = await options.exchange(code, verifier, redirectUri);
        reply(response, 200, 'Signed in', 'You can close this tab and return to the terminal.');
        settle?.resolve(tokens);
      } catch (exchangeError) {
        reply(
          response,
          400,
          'Sign-in failed',
          'The code could not be exchanged; see the terminal.',
        );
        settle?.reject(exchangeError);
      }
      return;
    }
    const tokens = readBrowserPayload(payload ?? '');
    if (tokens.ok) {
      reply(response, 200, 'Signed in', 'You can close this tab and return to the terminal.');
      settle?.resolve(tokens.value);
      return;
    }
    reply(
      response,
      400,
      'Sign-in failed',
      'The sign-in answer could not be read; see the terminal.',
    );
    // Never the payload itself in the message: it carries the tokens.
    settle?.reject(
      new AuthenticationError(`the console's sign-in answer (payload) ${tokens.problem}`, {
        code: 'LOGIN_PAYLOAD_INVALID',
        hint: 'run `hla-compass auth login` again; if it keeps failing, sign in with --email and --password-stdin',
      }),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  redirectUri = `http://127.0.0.1:${port}/cli-callback`;
  const loginUrl = new URL(`${options.consoleUrl}/cli-login`);
  loginUrl.search = new URLSearchParams({
    redirect_uri: redirectUri,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();

  const { logger } = options;
  if (options.openBrowser && (await openInBrowser(loginUrl.toString()))) {
    logger.info(`Opening your browser to sign in to ${options.environment}.`);
    logger.info(`If it does not open, visit:\n  ${loginUrl}`);
  } else {
    logger.info(`Open this URL in a browser to sign in to ${options.environment}:\n  ${loginUrl}`);
  }
  logger.info(`Waiting for the sign-in (up to ${Math.round(options.timeoutMs / 1000)} s)…`);

  const timer = setTimeout(() => {
    settle?.reject(
      new AuthenticationError(
        `timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for the browser sign-in`,
        {
          code: 'LOGIN_TIMEOUT',
          hint: 'run `hla-compass auth login` again (--no-browser prints the URL to open yourself)',
        },
      ),
    );
  }, options.timeoutMs);
  try {
    return await outcome;
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}

function sameSecret(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function reply(response: ServerResponse, status: number, title: string, message: string): void {
  const escapeHtml = (text: string) =>
    text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  response.end(
    `<!doctype html><html><head><meta charset="utf-8"><title>HLA-Compass CLI</title></head>` +
      `<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`,
  );
}

/** Starts the system's URL opener; resolves to false when there is none. */
function openInBrowser(url: string): Promise<boolean> {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
