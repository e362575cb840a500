// The browser sign-in of SPEC §4: a one-shot server on 127.0.0.1, the console's /cli-login page
// opened with a PKCE S256 challenge and a state, and the returned code exchanged for tokens. The
// hosted console ignores the challenge and sends the tokens themselves in `payload` instead
// (python-sdk.md §4.2); both answers are taken once their state matches.
import { spawn } from 'node:child_process';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

/**
 * Listens on a free port of 127.0.0.1, shows the console URL with a fresh state and PKCE
 * challenge, takes the first answer whose state matches, and stops listening.
 */
export async function browserLogin(options: BrowserLoginOptions): Promise<SessionTokens> {
  const callback = await startCallbackServer();
  try {
    const session = newSignInSession(callback.redirectUri, options.exchange);
    const answer = receiveAnswer(callback.server, session);
    await openBrowserOrPrint(consoleLoginUrl(options.consoleUrl, session), options);
    return await awaitAnswer(answer, options);
  } finally {
    callback.close();
  }
}

/** What one sign-in must remember: its secrets, and where the console sends its answer. */
interface SignInSession {
  readonly state: string;
  readonly pkce: { readonly verifier: string; readonly challenge: string };
  readonly redirectUri: string;
  readonly exchange: BrowserLoginOptions['exchange'];
}

function newSignInSession(
  redirectUri: string,
  exchange: BrowserLoginOptions['exchange'],
): SignInSession {
  return { state: randomBytes(24).toString('base64url'), pkce: pkcePair(), redirectUri, exchange };
}

/** A one-shot server on a free port of 127.0.0.1; its request handler comes later. */
async function startCallbackServer(): Promise<{
  server: Server;
  redirectUri: string;
  close(): void;
}> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    redirectUri: `http://127.0.0.1:${port}/cli-callback`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

function consoleLoginUrl(consoleUrl: string, session: SignInSession): URL {
  const loginUrl = new URL(`${consoleUrl}/cli-login`);
  loginUrl.search = new URLSearchParams({
    redirect_uri: session.redirectUri,
    state: session.state,
    code_challenge: session.pkce.challenge,
    code_challenge_method: 'S256',
  }).toString();
  return loginUrl;
}

async function openBrowserOrPrint(loginUrl: URL, options: BrowserLoginOptions): Promise<void> {
  const { logger } = options;
  if (options.openBrowser && (await openInBrowser(loginUrl.toString()))) {
    logger.info(`Opening your browser to sign in to ${options.environment}.`);
    logger.info(`If it does not open, visit:\n  ${loginUrl}`);
  } else {
    logger.info(`Open this URL in a browser to sign in to ${options.environment}:\n  ${loginUrl}`);
  }
}

/** Waits for the answer, up to the timeout of HLA_COMPASS_CLI_LOGIN_TIMEOUT_SECONDS. */
async function awaitAnswer(
  answer: PendingAnswer,
  options: BrowserLoginOptions,
): Promise<SessionTokens> {
  const seconds = Math.round(options.timeoutMs / 1000);
  options.logger.info(`Waiting for the sign-in (up to ${seconds} s)…`);
  const timer = setTimeout(() => {
    answer.reject(
      new AuthenticationError(`timed out after ${seconds} s waiting for the browser sign-in`, {
        code: 'LOGIN_TIMEOUT',
        hint: 'run `hla-compass auth login` again (--no-browser prints the URL to open yourself)',
      }),
    );
  }, options.timeoutMs);
  try {
    return await answer.promise;
  } finally {
    clearTimeout(timer);
  }
}

/** The sign-in's outcome, settled by the first answer with our state (or by the timeout). */
interface PendingAnswer {
  readonly promise: Promise<SessionTokens>;
  resolve(tokens: SessionTokens): void;
  reject(error: unknown): void;
}

/** Promise.withResolvers, which Node 20 lacks. */
function pendingAnswer(): PendingAnswer {
  let settle!: Omit<PendingAnswer, 'promise'>;
  const promise = new Promise<SessionTokens>((resolve, reject) => {
    settle = { resolve, reject };
  });
  return { promise, ...settle };
}

/**
 * Handles /cli-callback on `server`. Attached before the URL is shown, so no answer can come
 * earlier; only the first answer whose state matches counts, later ones get a 409.
 */
function receiveAnswer(server: Server, session: SignInSession): PendingAnswer {
  const answer = pendingAnswer();
  let handled = false;
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    void handle(request, response);
  });
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method !== 'GET' || url.pathname !== '/cli-callback') {
      reply(response, PAGES.notFound);
      return;
    }
    if (handled) {
      reply(response, PAGES.alreadyUsed);
      return;
    }
    // A request without our state is not from the sign-in we started: refuse it, keep waiting.
    if (!sameSecret(url.searchParams.get('state') ?? '', session.state)) {
      reply(response, PAGES.otherSession);
      return;
    }
    handled = true;
    const redeemed = await redeemAnswer(url.searchParams, session);
    reply(response, redeemed.page);
    if ('tokens' in redeemed) answer.resolve(redeemed.tokens);
    else answer.reject(redeemed.error);
  }
  return answer;
}

/** The page the browser shows after an answer. */
interface Page {
  readonly status: number;
  readonly title: string;
  readonly message: string;
}

const PAGES = {
  notFound: {
    status: 404,
    title: 'Not found',
    message: 'This address only receives the HLA-Compass sign-in.',
  },
  alreadyUsed: { status: 409, title: 'Already used', message: 'This sign-in is already complete.' },
  otherSession: {
    status: 400,
    title: 'Sign-in failed',
    message: 'The sign-in answer did not match this terminal session.',
  },
  signedIn: {
    status: 200,
    title: 'Signed in',
    message: 'You can close this tab and return to the terminal.',
  },
  exchangeFailed: {
    status: 400,
    title: 'Sign-in failed',
    message: 'The code could not be exchanged; see the terminal.',
  },
  payloadUnreadable: {
    status: 400,
    title: 'Sign-in failed',
    message: 'The sign-in answer could not be read; see the terminal.',
  },
} as const satisfies Record<string, Page>;

type Redeemed = { page: Page; tokens: SessionTokens } | { page: Page; error: unknown };

/** Turns the console's answer (an error, a code or a payload) into tokens or an error. */
async function redeemAnswer(query: URLSearchParams, session: SignInSession): Promise<Redeemed> {
  const error = query.get('error');
  const code = query.get('code');
  const payload = query.get('payload');
  if (error !== null || (code === null && payload === null)) {
    const reason = error ?? 'no code or payload in the answer';
    return {
      page: { status: 400, title: 'Sign-in failed', message: `The console said: ${reason}` },
      error: new AuthenticationError(`the console refused the sign-in: ${reason}`),
    };
  }
  // A code is preferred when both come: only this terminal's verifier can redeem it.
  if (code !== null) return exchangeCode(code, session);
  return readPayload(payload ?? '');
}

async function exchangeCode(code: string, session: SignInSession): Promise<Redeemed> {
  try {
    const tokens = await session.exchange(code, session.pkce.verifier, session.redirectUri);
    return { page: PAGES.signedIn, tokens };
  } catch (exchangeError) {
    return { page: PAGES.exchangeFailed, error: exchangeError };
  }
}

function readPayload(payload: string): Redeemed {
  const tokens = readBrowserPayload(payload);
  if (tokens.ok) return { page: PAGES.signedIn, tokens: tokens.value };
  return {
    page: PAGES.payloadUnreadable,
    // Never the payload itself in the message: it carries the tokens.
    error: new AuthenticationError(`the console's sign-in answer (payload) ${tokens.problem}`, {
      code: 'LOGIN_PAYLOAD_INVALID',
      hint: 'run `hla-compass auth login` again; if it keeps failing, sign in with --email and --password-stdin',
    }),
  };
}

function sameSecret(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function reply(response: ServerResponse, { status, title, message }: Page): void {
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
