// WWW-Authenticate challenges (RFC 7235) as a registry sends them on 401. fetch joins
// repeated headers with ", ", so the parser reads a list of challenges, not just one.

export interface AuthChallenge {
  /** Lowercase auth scheme: `basic`, `bearer`, … */
  readonly scheme: string;
  /** Lowercase parameter names; the first occurrence of a name wins. */
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

class Reader {
  position = 0;

  constructor(readonly text: string) {}

  get done(): boolean {
    return this.position >= this.text.length;
  }

  peek(): string {
    return this.text[this.position] ?? '';
  }

  skip(characters: string): void {
    while (!this.done && characters.includes(this.peek())) this.position++;
  }

  token(): string {
    const start = this.position;
    while (!this.done && TOKEN_CHAR.test(this.peek())) this.position++;
    return this.text.slice(start, this.position);
  }

  /** A quoted-string with backslash escapes; undefined when it is not closed. */
  quoted(): string | undefined {
    this.position++;
    let value = '';
    while (!this.done) {
      const character = this.peek();
      this.position++;
      if (character === '"') return value;
      if (character === '\\') {
        value += this.peek();
        this.position++;
      } else {
        value += character;
      }
    }
    return undefined;
  }

  /**
   * Whether an auth-param (`name=value`) comes next, without moving. `abc==` followed by a
   * comma or the end is a token68 instead.
   */
  atParam(): boolean {
    const start = this.position;
    const name = this.token();
    this.skip(' \t');
    let isParam = name !== '' && this.peek() === '=';
    if (isParam) {
      this.position++;
      this.skip(' \t');
      isParam = !this.done && this.peek() !== '=' && this.peek() !== ',';
    }
    this.position = start;
    return isParam;
  }

  /** Moves past a token68 (letters, digits, `-._~+/`, then `=` padding). */
  skipToken68(): void {
    while (!this.done && !' \t,'.includes(this.peek())) this.position++;
  }
}

/**
 * Parses a WWW-Authenticate value into challenges, in order. Malformed input ends the list
 * at the last well-formed challenge rather than guessing.
 */
export function parseAuthenticateHeader(value: string): AuthChallenge[] {
  const reader = new Reader(value);
  const challenges: Array<{ scheme: string; params: Map<string, string> }> = [];
  while (true) {
    reader.skip(' \t,');
    if (reader.done) break;
    const current = challenges.at(-1);
    if (current !== undefined && reader.atParam()) {
      const name = reader.token().toLowerCase();
      reader.skip(' \t');
      reader.position++; // '='
      reader.skip(' \t');
      const param = reader.peek() === '"' ? reader.quoted() : reader.token();
      if (param === undefined) break;
      if (!current.params.has(name)) current.params.set(name, param);
      continue;
    }
    const scheme = reader.token();
    if (scheme === '') break;
    challenges.push({ scheme: scheme.toLowerCase(), params: new Map() });
    // A token68 (`Negotiate abc==`) belongs to its scheme and carries nothing we use.
    reader.skip(' \t');
    if (!reader.atParam()) reader.skipToken68();
  }
  return challenges;
}

/** The first Basic or Bearer challenge: the schemes a registry client can answer. */
export function selectChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find(
    (challenge) => challenge.scheme === 'basic' || challenge.scheme === 'bearer',
  );
}

/** The scopes a Bearer challenge names (`scope` is space-separated). */
export function challengeScopes(challenge: AuthChallenge): string[] {
  return (challenge.params.get('scope') ?? '').split(' ').filter((scope) => scope !== '');
}
