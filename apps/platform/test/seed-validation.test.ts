import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes } from '@hla-compass/platform-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Platform } from '../src/platform.js';
import { DEFAULT_LOGIN_RATE_LIMIT } from '../src/services/login-rate-limit.js';
import {
  hashPassword,
  parsePasswordHash,
  UNKNOWN_USER_HASH,
  verifyPassword,
} from '../src/services/passwords.js';
import { prepareSeed, SeedError } from '../src/services/seed.js';
import { StartError, startPlatform } from '../src/start.js';
import { ACCOUNTS, defaultSeed, startTestPlatform, type TestPlatform } from './support/platform.js';

const SALT = Buffer.alloc(16, 7).toString('base64');
const HASH = Buffer.alloc(32, 9).toString('base64');
const hash = (n: string | number, r: string | number = 8, p: string | number = 1, salt = SALT) =>
  `scrypt$${n}$${r}$${p}$${salt}$${HASH}`;

/** The default seed with one field of its first user (the viewer) replaced. */
function seedWithViewer(fields: Record<string, unknown>) {
  const [viewer, ...others] = defaultSeed.users;
  return { ...defaultSeed, users: [{ ...viewer, ...fields }, ...others] };
}

const BAD_SEEDS: [string, unknown, RegExp][] = [
  [
    'N out of range',
    seedWithViewer({ passwordHash: hash(2 ** 20) }),
    /users\[0\]\.passwordHash.*N 1048576/s,
  ],
  [
    'N not a power of two',
    seedWithViewer({ passwordHash: hash(16385) }),
    /passwordHash.*power of two/s,
  ],
  ['N too small', seedWithViewer({ passwordHash: hash(2) }), /passwordHash.*N 2:/s],
  ['r zero', seedWithViewer({ passwordHash: hash(16384, 0) }), /passwordHash.*r 0/s],
  ['p huge', seedWithViewer({ passwordHash: hash(16384, 8, 99999) }), /passwordHash.*p 99999/s],
  [
    'memory past the cap',
    seedWithViewer({ passwordHash: hash(65536, 16) }),
    /passwordHash.*128 × N × r/s,
  ],
  [
    'short salt',
    seedWithViewer({ passwordHash: hash(16384, 8, 1, 'AAAA') }),
    /passwordHash.*salt/s,
  ],
  [
    'short hash',
    seedWithViewer({ passwordHash: `scrypt$16384$8$1$${SALT}$AAAA` }),
    /passwordHash.*hash that/s,
  ],
  ['a field the seed does not know', seedWithViewer({ admin: true }), /users\[0\].*admin/s],
  ['a bad user id', seedWithViewer({ id: 'a b' }), /users\[0\]\.id/s],
  ['an endless password', seedWithViewer({ password: 'x'.repeat(5000) }), /users\[0\]\.password/s],
  [
    'an org registry that is no repository',
    {
      ...defaultSeed,
      orgs: defaultSeed.orgs.map((org, index) =>
        index === 0 ? { ...org, registry: 'not a registry' } : org,
      ),
    },
    /orgs\[0\]\.registry/,
  ],
];

describe('seed validation', () => {
  it.each(BAD_SEEDS)('refuses a seed with %s, naming the field', (_label, seed, message) => {
    expect(() => prepareSeed(seed)).toThrow(SeedError);
    expect(() => prepareSeed(seed)).toThrow(message);
  });

  it('never lets a stored hash outside the bounds reach scrypt', async () => {
    expect(await verifyPassword('x', hash(2 ** 20))).toBe(false);
    expect(await verifyPassword('x', hash(16384, 8, 99999))).toBe(false);
  });

  it("checks an unknown user's password with a real hash's parameters, and refuses it", async () => {
    // The answer to an unknown email must cost one scrypt of the same size as a known one's.
    const unknown = parsePasswordHash(UNKNOWN_USER_HASH);
    const real = parsePasswordHash(await hashPassword('x'));
    if (typeof unknown === 'string' || typeof real === 'string') throw new Error('unparsed');
    expect(unknown.options).toEqual(real.options);
    expect(unknown.salt).toHaveLength(real.salt.length);
    expect(await verifyPassword('x', null)).toBe(false);
    expect(await verifyPassword('', null)).toBe(false);
  });
});

describe('the start command refuses a bad seed file', () => {
  it('with a StartError naming the file and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hla-compass-bad-seed-'));
    try {
      const file = join(dir, 'bad-seed.json');
      await writeFile(file, JSON.stringify(seedWithViewer({ passwordHash: hash(2 ** 20) })));
      const starting = startPlatform({ port: 0, seed: file });
      await expect(starting).rejects.toThrow(StartError);
      await expect(starting).rejects.toThrow(/bad-seed.*users\[0\]\.passwordHash/s);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a re-seed (/_emulator/seed) with a bad seed', () => {
  it('is refused whole and writes nothing: the old accounts still sign in', async () => {
    // The service the route calls, with a seed whose second user only is wrong.
    const emulator = new Platform({
      dataDir: undefined,
      seed: prepareSeed(defaultSeed),
      accessTokenTtlSeconds: 60,
      loginRateLimit: DEFAULT_LOGIN_RATE_LIMIT,
      images: { resolve: () => Promise.reject(new Error('not in this test')) },
      now: Date.now,
    });
    try {
      await emulator.seedEmpty();
      const [first, second, ...rest] = defaultSeed.users;
      const bad = {
        ...defaultSeed,
        users: [
          { ...first, email: 'new@your-org.test' },
          { ...second, passwordHash: hash(2 ** 20) },
          ...rest,
        ],
      };
      await expect(emulator.reset(['dev'], bad)).rejects.toThrow(/users\[1\]\.passwordHash/);
      const users = emulator.envs.get('dev')?.store.users;
      expect(users?.getByEmail('new@your-org.test')).toBeUndefined();
      expect(users?.getByEmail(ACCOUNTS.viewer.email)).toBeDefined();
    } finally {
      emulator.close();
    }
  });
});

describe('POST /_emulator/seed with a bad seed', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform();
  });
  afterAll(() => platform?.stop());

  it('is 400 INVALID_REQUEST naming the field, and the env keeps its accounts', async () => {
    const [first, second, ...rest] = defaultSeed.users;
    const bad = {
      ...defaultSeed,
      users: [
        { ...first, email: 'new@your-org.test' },
        { ...second, passwordHash: hash(2 ** 20) },
        ...rest,
      ],
    };
    const answer = await platform.control('seed?env=dev', bad);
    const body = (await answer.json()) as { code: string; message: string };
    expect([answer.status, body.code]).toEqual([400, 'INVALID_REQUEST']);
    expect(body.message).toMatch(/users\[1\]\.passwordHash: has N 1048576/);
    const login = (email: string, password: string) =>
      platform.call('dev', routes.login, { body: { email, password } });
    expect((await login(ACCOUNTS.viewer.email, ACCOUNTS.viewer.password)).status).toBe(200);
    expect((await login('new@your-org.test', ACCOUNTS.viewer.password)).status).toBe(401);
  });
});
