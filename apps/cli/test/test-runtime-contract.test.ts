// How `hla-compass test` sets up the container from the manifest: variables, context and limits.
import { describe, expect, it } from 'vitest';
import {
  containerEnvironment,
  containerLimits,
  runContext,
  runMode,
} from '../src/testing/runtime-contract.js';

describe('containerEnvironment', () => {
  it('points the runner at the mounted files, names the env and turns offline mode on', () => {
    expect(
      containerEnvironment({
        manifest: {
          resources: { environment: { LOG_LEVEL: 'INFO', THREADS: 2, HLA_COMPASS_ENV: 'prod' } },
        },
        environment: 'dev',
        mode: 'async',
      }),
    ).toEqual([
      'LOG_LEVEL=INFO',
      'THREADS=2',
      'HLA_COMPASS_PAYLOAD=/var/input.json',
      'HLA_COMPASS_CONTEXT=/var/context.json',
      'HLA_COMPASS_OUTPUT=/var/dev-out/output.json',
      'HLA_COMPASS_SUMMARY=/var/dev-out/summary.json',
      'HLA_COMPASS_ENV=dev',
      'HLA_COMPASS_RUN_MODE=async',
      'HLA_COMPASS_OFFLINE=1',
    ]);
  });

  it('hands over credentials instead of offline mode only when given them', () => {
    const env = containerEnvironment({
      manifest: {},
      environment: 'local',
      mode: 'interactive',
      credentials: { apiUrl: 'http://127.0.0.1:4100/local', accessToken: 'tok' },
    });
    expect(env).not.toContain('HLA_COMPASS_OFFLINE=1');
    expect(env).toContain('HLA_API_ENDPOINT=http://127.0.0.1:4100/local');
    expect(env).toContain('HLA_ACCESS_TOKEN=tok');
    expect(env.some((entry) => entry.startsWith('HLA_API_KEY='))).toBe(false);
  });
});

describe('containerLimits', () => {
  it('applies memory and CPUs, closes the network and takes the timeout', () => {
    expect(
      containerLimits(
        { resources: { memory: 512, vcpus: 1, timeout: 60 }, permissions: { network: [] } },
        8,
      ),
    ).toEqual({
      memoryBytes: 512 * 1024 * 1024,
      nanoCpus: 1e9,
      networkMode: 'none',
      networkHosts: [],
      timeoutSeconds: 60,
    });
  });

  it('opens the default network when hosts are listed, caps CPUs at the host and has defaults', () => {
    expect(
      containerLimits(
        { resources: { memoryMb: 300, vcpus: 4 }, permissions: { network: ['api.example.org'] } },
        2,
      ),
    ).toEqual({
      memoryBytes: 300 * 1024 * 1024,
      nanoCpus: 2e9,
      networkMode: 'default',
      networkHosts: ['api.example.org'],
      timeoutSeconds: 300,
    });
    expect(containerLimits({}, 2)).toMatchObject({
      memoryBytes: undefined,
      nanoCpus: undefined,
      networkMode: 'none',
    });
  });
});

describe('runContext and runMode', () => {
  it('has every field the runtime requires', () => {
    const context = runContext({
      manifest: { name: 'scorer', version: '1.2.0' },
      environment: 'staging',
      mode: 'interactive',
      offline: true,
      now: new Date('2026-01-02T03:04:05Z'),
    });
    expect(context).toMatchObject({
      run_id: expect.stringMatching(/^local-[0-9a-f]{8}$/),
      module_id: 'scorer',
      module_version: '1.2.0',
      organization_id: 'local',
      user_id: 'local',
      environment: 'staging',
      correlation_id: context.run_id,
      requested_at: '2026-01-02T03:04:05.000Z',
      mode: 'interactive',
      offline: true,
    });
  });

  it('chooses --mode, else defaultMode, else the first supported, else async; refuses an unsupported one', () => {
    expect(runMode(undefined, { entrypoint: 'a:B', defaultMode: 'interactive' })).toEqual({
      mode: 'interactive',
    });
    expect(runMode(undefined, { entrypoint: 'a:B', supports: ['workflow'] })).toEqual({
      mode: 'workflow',
    });
    expect(runMode(undefined, { entrypoint: 'a:B' })).toEqual({ mode: 'async' });
    expect(runMode('async', { entrypoint: 'a:B', supports: ['interactive'] })).toEqual({
      refused: 'mode async is not in execution.supports (interactive)',
    });
  });
});
