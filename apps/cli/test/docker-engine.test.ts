// Talking to the engine without an engine: where DOCKER_HOST points, what a failure tells the
// user, the auth config a push sends, and how progress streams are read and drawn.
import { Readable } from 'node:stream';
import { parseImageReference } from '@hla-compass/registry-client';
import { describe, expect, it } from 'vitest';
import { dockerEndpoint, engineMessage, engineUnavailable } from '../src/docker/engine.js';
import { pushFailure } from '../src/docker/image-push.js';
import {
  BuildLog,
  type ProgressEvent,
  PushLog,
  parseProgressEvent,
  progressEvents,
} from '../src/docker/progress.js';
import { engineAuthConfig } from '../src/docker/registry-auth.js';
import { ExitCode, UsageError } from '../src/errors.js';
import { createStyle, Logger } from '../src/terminal.js';

function recordingLogger(options: { tty: boolean; verbose?: boolean }): {
  logger: Logger;
  text(): string;
} {
  let written = '';
  const stream = {
    isTTY: options.tty,
    write: (chunk: string) => {
      written += chunk;
    },
  };
  const logger = new Logger(stream, {
    verbose: options.verbose ?? false,
    style: createStyle(false),
  });
  return { logger, text: () => written };
}

describe('dockerEndpoint', () => {
  const system = (existing: string[]) => ({
    homeDir: '/home/ada',
    exists: (path: string) => existing.includes(path),
  });

  it('uses /var/run/docker.sock without DOCKER_HOST, or Docker Desktop’s socket when only it exists', () => {
    expect(dockerEndpoint({}, system(['/var/run/docker.sock'])).address).toBe(
      'unix:///var/run/docker.sock',
    );
    expect(dockerEndpoint({}, system([])).address).toBe('unix:///var/run/docker.sock');
    expect(
      dockerEndpoint({}, system(['/home/ada/.docker/run/docker.sock'])).options.socketPath,
    ).toBe('/home/ada/.docker/run/docker.sock');
  });

  it('reads unix://, npipe:// and tcp:// hosts', () => {
    expect(dockerEndpoint({ DOCKER_HOST: 'unix:///tmp/d.sock' }, system([])).options).toMatchObject(
      {
        socketPath: '/tmp/d.sock',
      },
    );
    expect(
      dockerEndpoint({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }, system([])).options,
    ).toMatchObject({
      socketPath: '//./pipe/docker_engine',
    });
    expect(dockerEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, system([])).options).toEqual({
      host: '127.0.0.1',
      port: '2375',
      protocol: 'http',
    });
  });

  it.each(['ssh://alice@build-host', 'https://127.0.0.1:2376', '127.0.0.1:2375'])(
    'refuses DOCKER_HOST=%s as a usage error',
    (host) => {
      expect(() => dockerEndpoint({ DOCKER_HOST: host }, system([]))).toThrow(UsageError);
    },
  );
});

describe('engineUnavailable', () => {
  const failure = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

  it('says there is no engine and how to start one (exit 4)', () => {
    const error = engineUnavailable('unix:///nonexistent.sock', failure('ENOENT'));
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.message).toBe(
      'cannot reach the Docker engine at unix:///nonexistent.sock: there is no engine socket there',
    );
    expect(error.hint).toMatch(/start Docker/);
  });

  it('points at the docker group when the socket is not the user’s to use', () => {
    expect(engineUnavailable('unix:///var/run/docker.sock', failure('EACCES')).hint).toMatch(
      /docker group/,
    );
  });

  it('keeps the engine’s own words from a dockerode HTTP error', () => {
    const http = Object.assign(new Error('(HTTP code 500) server error - unknown flag '), {
      json: null,
    });
    expect(engineMessage(http)).toBe('unknown flag');
    expect(
      engineMessage(Object.assign(new Error('x'), { json: { message: 'no such image' } })),
    ).toBe('no such image');
  });
});

describe('engineAuthConfig', () => {
  it('is empty for an anonymous registry (the engine needs the header anyway)', () => {
    expect(engineAuthConfig('127.0.0.1:5000', undefined)).toEqual({});
  });

  it('passes each kind of Docker credential the way the engine reads it', () => {
    expect(
      engineAuthConfig('127.0.0.1:5000', { kind: 'basic', username: 'u', password: 'p' }),
    ).toEqual({ username: 'u', password: 'p', serveraddress: '127.0.0.1:5000' });
    expect(engineAuthConfig('docker.io', { kind: 'identity-token', identityToken: 't' })).toEqual({
      identitytoken: 't',
      serveraddress: 'https://index.docker.io/v1/',
    });
    expect(engineAuthConfig('ghcr.io', { kind: 'registry-token', registryToken: 'r' })).toEqual({
      registrytoken: 'r',
      serveraddress: 'ghcr.io',
    });
  });
});

describe('pushFailure', () => {
  it('turns a refusal into exit 1 with `docker login HOST`', () => {
    const error = pushFailure(
      'unauthorized: authentication required',
      parseImageReference('127.0.0.1:5001/your-org/x:1'),
    );
    expect(error.exitCode).toBe(ExitCode.rejected);
    expect(error.hint).toBe('run `docker login 127.0.0.1:5001`');
  });

  it('adds the write:packages scope for ghcr.io', () => {
    const error = pushFailure('denied: permission_denied', parseImageReference('ghcr.io/o/x:1'));
    expect(error.hint).toBe('run `docker login ghcr.io`; the token needs the write:packages scope');
  });

  it('turns a registry nobody answers for into exit 4 naming it', () => {
    const error = pushFailure(
      'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused',
      parseImageReference('127.0.0.1:1/x:1'),
    );
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.message).toMatch(/^cannot reach the registry 127\.0\.0\.1:1: /);
  });
});

describe('progress streams', () => {
  it('reads events split across chunks, and errorDetail as the failure', async () => {
    const lines = [
      '{"stream":"Step 1/2 : FROM base"}\n{"stream":"\\n"}\n{"aux":{"ID":"sha256:ab"}}\n',
      '{"errorDetail":{"message":"The command returned 3"},"error":"short"}\n',
    ].join('');
    const chunks = [lines.slice(0, 17), lines.slice(17, 60), lines.slice(60)].map((part) =>
      Buffer.from(part),
    );
    const events: ProgressEvent[] = [];
    for await (const event of progressEvents(Readable.from(chunks))) events.push(event);
    expect(events.map((event) => event.stream ?? event.aux?.ID ?? event.error)).toEqual([
      'Step 1/2 : FROM base',
      '\n',
      'sha256:ab',
      'The command returned 3',
    ]);
  });

  it('treats an error without a message, or a line that is not JSON, as such', () => {
    expect(parseProgressEvent('{"error":""}').error).toBe('');
    expect(parseProgressEvent('{"errorDetail":{}}').error).toMatch(/without a message/);
    expect(parseProgressEvent('plain text')).toMatchObject({ stream: 'plain text\n' });
  });

  it('draws build steps and output as plain lines off a terminal, without builder bookkeeping', () => {
    const { logger, text } = recordingLogger({ tty: false });
    const log = new BuildLog(logger, { tty: false, verbose: false });
    for (const part of [
      'Step 1/3 : FROM base',
      '\n',
      ' ---> 245c527a5829\n',
      'Step 2/3 : RUN echo hi &&     echo there',
      '\n ---> Running in d5017b3957a9\nhi\nthere\n',
      'Removing intermediate container d5017b3957a9\nSuccessfully built 72aaf30e07a9\n',
    ]) {
      log.write(part);
    }
    log.end();
    expect(text()).toBe('Step 1/3 : FROM base\nStep 2/3 : RUN echo hi && echo there\nhi\nthere\n');
    expect(log.step).toBe('Step 2/3 : RUN echo hi && echo there');
  });

  it('prints one line per finished layer off a terminal, and redraws all layers on one', () => {
    const events: ProgressEvent[] = [
      { status: 'The push refers to repository [127.0.0.1:5000/x]' },
      { status: 'Preparing', id: 'aaa' },
      { status: 'Pushing', id: 'aaa', progress: '[=>   ] 1kB/2kB' },
      { status: 'Preparing', id: 'bbb' },
      { status: 'Layer already exists', id: 'bbb' },
      { status: 'Pushed', id: 'aaa' },
    ];
    const plain = recordingLogger({ tty: false });
    const plainLog = new PushLog(plain.logger, { tty: false, verbose: false });
    for (const event of events) plainLog.event(event);
    expect(plain.text()).toBe('bbb: Layer already exists\naaa: Pushed\n');

    const tty = recordingLogger({ tty: true });
    const ttyLog = new PushLog(tty.logger, { tty: true, verbose: false });
    for (const event of events) ttyLog.event(event);
    expect(
      tty.text().endsWith('\u001b[2A\u001b[2Kaaa: Pushed\n\u001b[2Kbbb: Layer already exists\n'),
    ).toBe(true);
  });
});
