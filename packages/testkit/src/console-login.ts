// The browser's half of a CLI's browser sign-in against the emulator (`hla-compass auth login` with
// PKCE, or the Python SDK's flow without): open the sign-in page the CLI printed, submit its form
// with an account, and follow the redirect back to the CLI.

export interface ConsoleAccount {
  readonly email: string;
  readonly password: string;
}

export interface ConsoleSignIn {
  /**
   * Where the console sent the browser: the CLI's loopback `/cli-callback?code=…&state=…`, or
   * `?state=…&payload=…` for a sign-in without PKCE.
   */
  readonly callbackUrl: string;
  /** What the CLI's callback page showed the browser. */
  readonly landingPage: string;
}

/** The text of an HTML attribute value (numeric and the basic named character references). */
export function decodeHtmlAttribute(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_match, code: string) =>
      String.fromCharCode(Number.parseInt(code, 16)),
    )
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/**
 * Loads `loginUrl` (the console's `/cli-login?…` page), posts its form (the hidden fields as served,
 * which name the flow and carry the CSRF token, plus email and password) to the form's action,
 * with the page's origin as a browser names it, and loads the page the console redirects to.
 * Throws when a step does not answer as a browser expects: the page 200, the form a 302.
 */
export async function signInOnConsole(
  loginUrl: string,
  account: ConsoleAccount,
): Promise<ConsoleSignIn> {
  const page = await fetch(loginUrl);
  const html = await page.text();
  if (page.status !== 200) {
    throw new Error(`the sign-in page answered HTTP ${page.status}: ${html.slice(0, 300)}`);
  }
  const form = new URLSearchParams();
  for (const match of html.matchAll(
    /<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g,
  )) {
    form.set(decodeHtmlAttribute(match[1] ?? ''), decodeHtmlAttribute(match[2] ?? ''));
  }
  form.set('email', account.email);
  form.set('password', account.password);
  // No action attribute means the form posts back to the page's own URL, as in a browser.
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  const target = new URL(decodeHtmlAttribute(action ?? ''), loginUrl);
  const submitted = await fetch(target, {
    method: 'POST',
    // A browser names the page's origin on a form post (the console's Referrer-Policy lets it);
    // the console refuses any other.
    headers: { origin: new URL(loginUrl).origin },
    body: form,
    redirect: 'manual',
  });
  const location = submitted.headers.get('location');
  if (submitted.status !== 302 || location === null) {
    const text = await submitted.text();
    throw new Error(
      `submitting the sign-in form answered HTTP ${submitted.status} instead of a redirect: ${text.slice(0, 300)}`,
    );
  }
  await submitted.body?.cancel();
  const callbackUrl = new URL(location, loginUrl).toString();
  const landing = await fetch(callbackUrl);
  return { callbackUrl, landingPage: await landing.text() };
}
