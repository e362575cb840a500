// Environment selection and URL resolution (SPEC §3) as pure functions, and config.json parsing.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config-file.js';
import {
  normalizeBaseUrl,
  resolveEndpoints,
  selectEnvironment,
} from '../src/config/environments.js';
import { UsageError } from '../src/errors.js';

describe('selectEnvironment', () => {
  it('prefers --env, then HLA_COMPASS_ENV, then config defaultEnv, then dev', () => {
    expect(
      selectEnvironment({ flag: 'prod', variable: 'staging', configDefault: 'local' }),
    ).toEqual({
      name: 'prod',
      source: 'flag',
    });
    expect(selectEnvironment({ variable: 'staging', configDefault: 'local' })).toEqual({
      name: 'staging',
      source: 'environment',
    });
    expect(selectEnvironment({ configDefault: 'local' })).toEqual({
      name: 'local',
      source: 'config',
    });
    expect(selectEnvironment({})).toEqual({ name: 'dev', source: 'default' });
  });

  it('demands an explicit environment when required, ignoring the config default', () => {
    expect(() =>
      selectEnvironment(
        { configDefault: 'dev' },
        { required: true, command: 'hla-compass publish' },
      ),
    ).toThrow(/hla-compass publish needs an explicit environment/);
    expect(selectEnvironment({ variable: 'dev' }, { required: true }).name).toBe('dev');
  });

  it('refuses unknown names wherever they come from', () => {
    expect(() => selectEnvironment({ flag: 'Prod' })).toThrow(UsageError);
    expect(() => selectEnvironment({ configDefault: 'qa' })).toThrow(/config.json "defaultEnv"/);
  });
});

describe('resolveEndpoints', () => {
  const dev = { name: 'dev', source: 'default' } as const;

  it('uses the built-in API and console URLs when nothing overrides them', () => {
    expect(resolveEndpoints(dev, { api: {}, console: {} })).toMatchObject({
      apiUrl: 'https://api-dev.alithea.bio',
      apiUrlSource: 'default',
      consoleUrl: 'https://hub-dev.alithea.bio',
      consoleUrlSource: 'default',
    });
  });

  it('takes the API URL from flag > variable > config > built-in', () => {
    const candidates = {
      flag: 'http://127.0.0.1:1/flag',
      variable: 'http://127.0.0.1:2/var',
      config: 'http://127.0.0.1:3/config',
    };
    expect(resolveEndpoints(dev, { api: candidates, console: {} }).apiUrl).toBe(
      'http://127.0.0.1:1/flag',
    );
    const { flag: _flag, ...withoutFlag } = candidates;
    expect(resolveEndpoints(dev, { api: withoutFlag, console: {} }).apiUrlSource).toBe(
      'environment',
    );
    expect(
      resolveEndpoints(dev, { api: { config: candidates.config }, console: {} }),
    ).toMatchObject({
      apiUrl: 'http://127.0.0.1:3/config',
      apiUrlSource: 'config',
    });
  });

  it('points the console at an overridden API URL (the emulator serves both) unless set itself', () => {
    const emulator = resolveEndpoints(dev, {
      api: { config: 'http://127.0.0.1:4100/dev/' },
      console: {},
    });
    expect(emulator).toMatchObject({
      apiUrl: 'http://127.0.0.1:4100/dev',
      consoleUrl: 'http://127.0.0.1:4100/dev',
      consoleUrlSource: 'config',
    });
    const explicit = resolveEndpoints(dev, {
      api: { config: 'http://127.0.0.1:4100/dev' },
      console: { variable: 'http://localhost:3000' },
    });
    expect(explicit).toMatchObject({
      consoleUrl: 'http://localhost:3000',
      consoleUrlSource: 'environment',
    });
  });
});

describe('normalizeBaseUrl', () => {
  it('strips trailing slashes and keeps the path', () => {
    expect(normalizeBaseUrl('https://api.example.com/v0//', 'x')).toBe(
      'https://api.example.com/v0',
    );
    expect(normalizeBaseUrl('http://localhost:4100/local', 'x')).toBe(
      'http://localhost:4100/local',
    );
    expect(normalizeBaseUrl('http://[::1]:4100/dev', 'x')).toBe('http://[::1]:4100/dev');
  });

  it.each([
    ['not a url', /is not a URL/],
    ['ftp://api.example.com', /must be an http\(s\) URL/],
    ['https://user:secret@api.example.com', /must not contain credentials/],
    ['https://api.example.com/?env=dev', /must not have a query or fragment/],
    ['http://api.example.com', /plain HTTP to api.example.com/],
    ['http://10.0.0.5:4100/dev', /plain HTTP to 10.0.0.5:4100/],
  ])('refuses %s', (value, message) => {
    expect(() => normalizeBaseUrl(value, 'HLA_API_ENDPOINT')).toThrow(message);
  });

  it('never echoes a password it refuses', () => {
    try {
      normalizeBaseUrl('https://user:hunter2@api.example.com', 'HLA_API_ENDPOINT');
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('hunter2');
    }
  });
});

describe('parseConfig', () => {
  it('reads defaultEnv, per-environment URLs, the author and the build defaults', () => {
    expect(
      parseConfig(
        {
          defaultEnv: 'local',
          environments: { dev: { apiUrl: 'http://127.0.0.1:4100/dev' } },
          author: { name: 'Ada', email: 'ada@example.com' },
          build: { baseImage: 'python:3.11-slim' },
        },
        'config.json',
      ),
    ).toEqual({
      defaultEnv: 'local',
      environments: { dev: { apiUrl: 'http://127.0.0.1:4100/dev' } },
      author: { name: 'Ada', email: 'ada@example.com' },
      build: { baseImage: 'python:3.11-slim' },
    });
  });

  it.each([
    [[], /"\(root\)" must be a JSON object/],
    [{ defaultEnv: 3 }, /"defaultEnv" must be a string/],
    [{ environments: { qa: {} } }, /"environments.qa" must be one of local, dev, staging, prod/],
    [{ environments: { dev: { apiUrl: 1 } } }, /"environments.dev.apiUrl" must be a string/],
    [{ author: 'Ada' }, /"author" must be an object/],
    [{ build: { baseImage: 7 } }, /"build.baseImage" must be a string/],
  ])('names the field of a malformed config: %j', (value, message) => {
    expect(() => parseConfig(value, 'config.json')).toThrow(message);
  });
});
