// The CSRF tokens of the console's forms: an HMAC, under a key made at start and never sent, of
// what the form acts for (a sign-in link, a console session) and when it was served.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A page elsewhere cannot read our forms (no CORS) nor compute the HMAC, so it cannot post a form
 * of its choosing through the user's browser. The token keeps no state, so every env app and
 * every restart simply has its own key (a restart invalidates the forms it served).
 */
export class FormToken {
  readonly #key = randomBytes(32);
  readonly #environment: string;
  readonly #lifetimeMs: number;

  constructor(environment: string, lifetimeMs: number) {
    this.#environment = environment;
    this.#lifetimeMs = lifetimeMs;
  }

  #mac(fields: readonly string[], issuedAt: number): string {
    return createHmac('sha256', this.#key)
      .update(JSON.stringify([this.#environment, ...fields, String(issuedAt)]))
      .digest('base64url');
  }

  /** A token for a form that acts for `fields`, served at `now`. */
  issue(fields: readonly string[], now: number): string {
    return `${now}.${this.#mac(fields, now)}`;
  }

  isValid(token: unknown, fields: readonly string[], now: number): boolean {
    if (typeof token !== 'string') return false;
    const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (match === null) return false;
    const issuedAt = Number(match[1]);
    if (issuedAt > now || now - issuedAt > this.#lifetimeMs) return false;
    return timingSafeEqual(Buffer.from(match[2] ?? ''), Buffer.from(this.#mac(fields, issuedAt)));
  }
}
