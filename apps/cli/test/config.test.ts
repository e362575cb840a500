// Environment selection and URL resolution (SPEC §3) as pure functions, and config.json parsing.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config/config-file.js';
import {
  normalizeBaseUrl,
  resolveEndpoints,
  selectEnvironment,
} from '../src/config/environments.js';
import { Settings } from '../src/config/variables.js';
import { UsageError } from '../src/errors.js';

const variables = (values: Record<string, string>) => new Settings(values);

describe('selectEnvironment', () => {
  it('prefers --env, then HLA_COMPASS_ENV, then HLA_ENV, then config defaultEnv, then dev', () => {
    const both = variables({ HLA_COMPASS_ENV: 'staging', HLA_ENV: 'prod' });
    expect(selectEnvironment({ flag: 'prod', settings: both, configDefault: 'local' })).toEqual({
      name: 'prod',
      source: 'flag',
      from: '--env',
    });
    expect(selectEnvironment({ settings: both, configDefault: 'local' })).toEqual({
      name: 'staging',
      source: 'environment',
      from: 'HLA_COMPASS_ENV',
    });
    expect(
      selectEnvironment({ settings: variables({ HLA_ENV: 'prod' }), configDefault: 'local' }),
    ).toEqual({ name: 'prod', source: 'environment', from: 'HLA_ENV' });
    expect(selectEnvironment({ settings: variables({}), configDefault: 'local' })).toEqual({
      name: 'local',
      source: 'config',
      from: 'config',
    });
    expect(selectEnvironment({})).toEqual({ name: 'dev', source: 'default', from: 'default' });
  });

  it('reads a blank variable as unset, so the next one in rank decides', () => {
    const blank = variables({ HLA_COMPASS_ENV: '  ', HLA_ENV: 'staging' });
    expect(selectEnvironment({ settings: blank })).toMatchObject({ from: 'HLA_ENV' });
  });

  it('demands an explicit environment when required; either variable is explicit, config is not', () => {
    expect(() =>
      selectEnvironment(
        { configDefault: 'dev' },
        { required: true, command: 'hla-compass publish' },
      ),
    ).toThrow(/hla-compass publish needs an explicit environment/);
    const ours = variables({ HLA_COMPASS_ENV: 'dev' });
    expect(selectEnvironment({ settings: ours }, { required: true }).name).toBe('dev');
    const sdk = variables({ HLA_ENV: 'staging' });
    expect(selectEnvironment({ settings: sdk }, { required: true })).toMatchObject({
      name: 'staging',
      from: 'HLA_ENV',
    });
  });

  it('refuses unknown names wherever they come from, naming the source', () => {
    expect(() => selectEnvironment({ flag: 'Prod' })).toThrow(UsageError);
    expect(() => selectEnvironment({ configDefault: 'qa' })).toThrow(/config.json "defaultEnv"/);
    expect(() => selectEnvironment({ settings: variables({ HLA_ENV: 'production' }) })).toThrow(
      'unknown environment "production" in HLA_ENV',
    );
  });
});

describe('resolveEndpoints', () => {
  const dev = { name: 'dev', source: 'default', from: 'default' } as const;

  it('uses the built-in API and console URLs when nothing overrides them', () => {
    expect(resolveEndpoints(dev, {})).toMatchObject({
      apiUrl: 'https://api-dev.alithea.bio',
      apiUrlSource: 'default',
      apiUrlFrom: 'default',
      consoleUrl: 'https://hub-dev.alithea.bio',
      consoleUrlSource: 'default',
    });
  });

  it('takes the API URL from --api-url > HLA_API_ENDPOINT > API_ENDPOINT > config > built-in', () => {
    const settings = variables({
      HLA_API_ENDPOINT: 'http://127.0.0.1:2/ours',
      API_ENDPOINT: 'http://127.0.0.1:3/sdk',
    });
    const config = { apiUrl: 'http://127.0.0.1:4/config' };
    expect(
      resolveEndpoints(dev, { flags: { api: 'http://127.0.0.1:1/flag' }, settings, config }),
    ).toMatchObject({
      apiUrl: 'http://127.0.0.1:1/flag',
      apiUrlSource: 'flag',
      apiUrlFrom: '--api-url',
    });
    expect(resolveEndpoints(dev, { settings, config })).toMatchObject({
      apiUrl: 'http://127.0.0.1:2/ours',
      apiUrlSource: 'environment',
      apiUrlFrom: 'HLA_API_ENDPOINT',
    });
    const sdkOnly = variables({ API_ENDPOINT: 'http://127.0.0.1:3/sdk/' });
    expect(resolveEndpoints(dev, { settings: sdkOnly, config })).toMatchObject({
      apiUrl: 'http://127.0.0.1:3/sdk',
      apiUrlSource: 'environment',
      apiUrlFrom: 'API_ENDPOINT',
      consoleUrl: 'http://127.0.0.1:3/sdk',
      consoleUrlFrom: 'API_ENDPOINT',
    });
    expect(resolveEndpoints(dev, { config })).toMatchObject({
      apiUrl: 'http://127.0.0.1:4/config',
      apiUrlSource: 'config',
      apiUrlFrom: 'config',
    });
  });

  it('checks API_ENDPOINT like any URL it would send credentials to', () => {
    const cleartext = variables({ API_ENDPOINT: 'http://api.example.com' });
    expect(() => resolveEndpoints(dev, { settings: cleartext })).toThrow(
      /^API_ENDPOINT uses plain HTTP to api.example.com/,
    );
  });

  it('points the console at an overridden API URL (the emulator serves both) unless set itself', () => {
    const emulator = resolveEndpoints(dev, { config: { apiUrl: 'http://127.0.0.1:4100/dev/' } });
    expect(emulator).toMatchObject({
      apiUrl: 'http://127.0.0.1:4100/dev',
      consoleUrl: 'http://127.0.0.1:4100/dev',
      consoleUrlSource: 'config',
    });
    const explicit = resolveEndpoints(dev, {
      settings: variables({ HLA_CONSOLE_URL: 'http://localhost:3000' }),
      config: { apiUrl: 'http://127.0.0.1:4100/dev' },
    });
    expect(explicit).toMatchObject({
      consoleUrl: 'http://localhost:3000',
      consoleUrlSource: 'environment',
      consoleUrlFrom: 'HLA_CONSOLE_URL',
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

  it("reads the Python SDK's config.json: its keys are ignored, its endpoint is only noted", () => {
    const sdk = {
      profiles: {
        dev: {
          environment: 'dev',
          activeOrgId: 'org-1',
          primaryOrgId: 'org-1',
          updatedAt: '2026-01-05T10:00:00',
        },
      },
      activeProfile: 'dev',
      activeOrgId: 'org-1',
      organization: 'org-1',
      api_endpoint: 'https://api-staging.alithea.bio/',
      apiEndpoint: 'https://elsewhere.example.org',
      endpoints: { api_endpoint: 'https://a.example.org', apiEndpoint: 'https://b.example.org' },
      data_provider: 'alithea-bio',
      dataProvider: 'alithea-bio',
      data_catalog: 'immunopeptidomics',
      dataCatalog: 'immunopeptidomics',
      author: { name: 'Ada', email: 'ada@example.com' },
    };
    expect(parseConfig(sdk, 'config.json')).toEqual({
      environments: {},
      author: { name: 'Ada', email: 'ada@example.com' },
      sdkApiEndpoint: { key: 'api_endpoint', value: 'https://api-staging.alithea.bio/' },
    });
    // The SDK's own order: endpoints.* only when the top-level keys are absent; odd shapes are skipped.
    expect(
      parseConfig(
        { api_endpoint: 7, endpoints: { api_endpoint: '', apiEndpoint: 'https://b.example.org' } },
        'config.json',
      ).sdkApiEndpoint,
    ).toEqual({ key: 'endpoints.apiEndpoint', value: 'https://b.example.org' });
    expect(parseConfig({ endpoints: 'x' }, 'config.json').sdkApiEndpoint).toBeUndefined();
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
