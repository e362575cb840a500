// Failed sign-ins per (client address, email) in a sliding window: past the limit, further
// attempts are refused with RATE_LIMITED and a Retry-After until the oldest failure ages out.
import { PlatformError } from '@hla-compass/platform-api';

export interface LoginRateLimit {
  /** Failed attempts allowed within the window. */
  attempts: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimit = { attempts: 10, windowSeconds: 60 };

export class LoginRateLimiter {
  readonly #limit: LoginRateLimit;
  readonly #now: () => number;
  readonly #failures = new Map<string, number[]>();

  constructor(limit: LoginRateLimit, now: () => number = Date.now) {
    this.#limit = limit;
    this.#now = now;
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#limit.windowSeconds * 1000;
    const recent = (this.#failures.get(key) ?? []).filter((at) => at > since);
    if (recent.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, recent);
    return recent;
  }

  /** Throws RATE_LIMITED when this client has used up its failures for this email. */
  check(peer: string, email: string): void {
    const key = `${peer}\n${email.toLowerCase()}`;
    const recent = this.#recent(key);
    if (recent.length < this.#limit.attempts) return;
    const oldest = recent[0] ?? this.#now();
    const retryAfter = Math.max(
      1,
      Math.ceil((oldest + this.#limit.windowSeconds * 1000 - this.#now()) / 1000),
    );
    throw new PlatformError(
      'RATE_LIMITED',
      `Too many failed sign-ins for ${email} from this address; try again in ${retryAfter} s`,
      { retryAfter },
    );
  }

  recordFailure(peer: string, email: string): void {
    const key = `${peer}\n${email.toLowerCase()}`;
    this.#failures.set(key, [...this.#recent(key), this.#now()]);
  }

  clear(): void {
    this.#failures.clear();
  }
}
