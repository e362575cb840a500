import { describe, expect, it } from 'vitest';
import { refreshRequestSchema, refreshTokenOf, tokensSchema } from '../src/index.js';

describe('the refresh request', () => {
  it('takes the token as refreshToken or as refresh_token (the Python SDK)', () => {
    expect(refreshTokenOf(refreshRequestSchema.parse({ refreshToken: 'rt_a' }))).toBe('rt_a');
    expect(refreshTokenOf(refreshRequestSchema.parse({ refresh_token: 'rt_a' }))).toBe('rt_a');
    expect(
      refreshTokenOf(refreshRequestSchema.parse({ refreshToken: 'rt_a', refresh_token: 'rt_a' })),
    ).toBe('rt_a');
  });

  it('refuses two different tokens, a malformed one beside a good one, and none', () => {
    const differ = refreshRequestSchema.safeParse({ refreshToken: 'rt_a', refresh_token: 'rt_b' });
    expect(differ.error?.issues.map((issue) => issue.message)).toEqual([
      'refreshToken and refresh_token differ: send one of them',
    ]);
    for (const body of [
      { refreshToken: 5, refresh_token: 'rt_a' },
      { refreshToken: 'rt_a', refresh_token: '' },
      { refresh_token: null },
      { refreshToken: '' },
      {},
    ]) {
      expect(refreshRequestSchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
    }
  });
});

describe('the token answer', () => {
  const tokens = {
    accessToken: 'at_a',
    refreshToken: 'rt_a',
    expiresIn: 3600,
    tokenType: 'Bearer',
    access_token: 'at_a',
    refresh_token: 'rt_a',
    expires_in: 3600,
    token_type: 'Bearer',
  };

  it('carries every field in camelCase and in snake_case', () => {
    expect(tokensSchema.parse(tokens)).toEqual(tokens);
    const { access_token: _dropped, ...camelOnly } = tokens;
    expect(tokensSchema.safeParse(camelOnly).success).toBe(false);
  });

  it('refuses snake_case fields that differ from the camelCase ones', () => {
    for (const change of [
      { access_token: 'at_b' },
      { refresh_token: 'rt_b' },
      { expires_in: 60 },
    ]) {
      expect(tokensSchema.safeParse({ ...tokens, ...change }).success, JSON.stringify(change)).toBe(
        false,
      );
    }
  });
});
