// Failed sign-ins, counted twice: per (client address, email) in a sliding window, and per
// account across every address, where too many failures lock the account for a short window
// that doubles on each lockout up to a cap: guessing stays slow from any number of addresses,
// and an attacker who only wants the owner locked out gets minutes, never longer.
import { PlatformError } from '@hla-compass/platform-api';

export interface AccountLockout {
  /** Failed attempts on one account, from any address, within the window before a lockout. */
  attempts: number;
  /** The first lockout; each further one doubles it. */
  lockoutSeconds: number;
  /** The longest lockout: what an attacker can cost the account's owner at most. */
  maxLockoutSeconds: number;
  /** Without a lockout for this long, the next one is the first again. */
  forgetSeconds: number;
}

export interface LoginRateLimit {
  /** Failed attempts allowed per client address and email within the window. */
  attempts: number;
  windowSeconds: number;
  /** Default DEFAULT_ACCOUNT_LOCKOUT. */
  account?: AccountLockout;
}

export const DEFAULT_ACCOUNT_LOCKOUT: AccountLockout = {
  attempts: 20,
  lockoutSeconds: 30,
  maxLockoutSeconds: 300,
  forgetSeconds: 900,
};

export const DEFAULT_LOGIN_RATE_LIMIT: LoginRateLimit = { attempts: 10, windowSeconds: 60 };

interface AccountState {
  failures: number[];
  /** Epoch ms; 0 when the account was never locked. */
  lockedUntil: number;
  /** Lockouts in a row, for the doubling. */
  lockouts: number;
}

export class LoginRateLimiter {
  readonly #limit: LoginRateLimit;
  readonly #account: AccountLockout;
  readonly #now: () => number;
  readonly #failures = new Map<string, number[]>();
  readonly #accounts = new Map<string, AccountState>();

  constructor(limit: LoginRateLimit, now: () => number = Date.now) {
    this.#limit = limit;
    this.#account = limit.account ?? DEFAULT_ACCOUNT_LOCKOUT;
    this.#now = now;
  }

  #recent(failures: readonly number[]): number[] {
    const since = this.#now() - this.#limit.windowSeconds * 1000;
    return failures.filter((at) => at > since);
  }

  #peerFailures(key: string): number[] {
    const recent = this.#recent(this.#failures.get(key) ?? []);
    if (recent.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, recent);
    return recent;
  }

  #accountState(account: string): AccountState {
    const now = this.#now();
    const state = this.#accounts.get(account) ?? { failures: [], lockedUntil: 0, lockouts: 0 };
    state.failures = this.#recent(state.failures);
    if (state.lockouts > 0 && now - state.lockedUntil > this.#account.forgetSeconds * 1000) {
      state.lockouts = 0;
    }
    if (state.failures.length === 0 && state.lockouts === 0) this.#accounts.delete(account);
    else this.#accounts.set(account, state);
    return state;
  }

  #refuse(email: string, until: number, why: string): never {
    const retryAfter = Math.max(1, Math.ceil((until - this.#now()) / 1000));
    throw new PlatformError(
      'RATE_LIMITED',
      `Too many failed sign-ins for ${email} ${why}; try again in ${retryAfter} s`,
      { retryAfter },
    );
  }

  /**
   * Throws RATE_LIMITED while the account is locked (whatever the password: a right guess must
   * not be told from a wrong one) or when this client has used up its failures for this email.
   */
  check(peer: string, email: string): void {
    const state = this.#accountState(email.toLowerCase());
    if (state.lockedUntil > this.#now()) this.#refuse(email, state.lockedUntil, '(account locked)');
    const recent = this.#peerFailures(`${peer}\n${email.toLowerCase()}`);
    if (recent.length < this.#limit.attempts) return;
    const oldest = recent[0] ?? this.#now();
    this.#refuse(email, oldest + this.#limit.windowSeconds * 1000, 'from this address');
  }

  recordFailure(peer: string, email: string): void {
    const now = this.#now();
    const key = `${peer}\n${email.toLowerCase()}`;
    this.#failures.set(key, [...this.#peerFailures(key), now]);
    const state = this.#accountState(email.toLowerCase());
    state.failures.push(now);
    this.#accounts.set(email.toLowerCase(), state);
    if (state.failures.length < this.#account.attempts) return;
    // The failures that caused a lockout are spent: after it, the next lockout needs as many.
    const seconds = Math.min(
      this.#account.lockoutSeconds * 2 ** state.lockouts,
      this.#account.maxLockoutSeconds,
    );
    state.lockedUntil = now + seconds * 1000;
    state.lockouts += 1;
    state.failures = [];
  }

  clear(): void {
    this.#failures.clear();
    this.#accounts.clear();
  }
}
