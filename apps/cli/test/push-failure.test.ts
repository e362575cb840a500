// What a failed or silent push means, without an engine: the engine's error messages as it sends
// them, classified by cause; a progress stream that goes quiet; the engine's retries in a log.
import { PassThrough } from 'node:stream';
import { parseImageReference } from '@hla-compass/registry-client';
import { describe, expect, it } from 'vitest';
import { idleWatched, noticeInterval } from '../src/docker/idle-watch.js';
import { pushFailure, pushFailureCause } from '../src/docker/image-push.js';
import { PushLog, parseProgressEvent } from '../src/docker/progress.js';
import { ExitCode } from '../src/errors.js';
import { createStyle, Logger } from '../src/terminal.js';

const reference = parseImageReference('127.0.0.1:5000/your-org/x:1');

describe('pushFailureCause', () => {
  it.each([
    ['received unexpected HTTP status: 503 Service Unavailable', 'unavailable'],
    ['received unexpected HTTP status: 500 Internal Server Error', 'unavailable'],
    ['toomanyrequests: retry later', 'unavailable'],
    [
      'Get "http://127.0.0.1:5000/v2/": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      'unavailable',
    ],
    ['Get "http://127.0.0.1:5000/v2/": context deadline exceeded', 'unavailable'],
    [
      'Get "http://127.0.0.1:5000/v2/": net/http: request canceled (Client.Timeout exceeded while awaiting headers)',
      'unavailable',
    ],
    ['Put "http://127.0.0.1:5000/v2/x/blobs/uploads/1": EOF', 'unavailable'],
    ['write tcp 127.0.0.1:1->127.0.0.1:5000: write: connection reset by peer', 'unavailable'],
    ['unauthorized: authentication required', 'denied'],
    ['denied: requested access to the resource is denied', 'denied'],
    ['received unexpected HTTP status: 403 Forbidden', 'denied'],
    ['http: server gave HTTP response to HTTPS client', 'plain-http'],
    ['manifest invalid: manifest invalid', 'other'],
    ['received unexpected HTTP status: 404 Not Found', 'other'],
  ] as const)('%s → %s', (message, cause) => {
    expect(pushFailureCause(message)).toBe(cause);
  });

  it('takes the status of errorDetail.code before the words of the message', () => {
    expect(pushFailureCause('something went wrong', 502)).toBe('unavailable');
    expect(pushFailureCause('something went wrong', 401)).toBe('denied');
    expect(pushFailureCause('something went wrong', 1)).toBe('other');
  });
});

describe('pushFailure', () => {
  it('is exit 4 with a hint naming the registry for a registry answering 5xx', () => {
    const error = pushFailure(
      'received unexpected HTTP status: 503 Service Unavailable',
      reference,
    );
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.code).toBe('REGISTRY_UNAVAILABLE');
    expect(error.message).toBe(
      'the registry 127.0.0.1:5000 is unavailable: received unexpected HTTP status: 503 Service Unavailable',
    );
    expect(error.hint).toMatch(/^127\.0\.0\.1:5000 answered 503 /);
  });

  it('is exit 4 for a failure it cannot place when the CLI could not reach the registry either', () => {
    const unknown = 'unknown: something odd';
    expect(pushFailure(unknown, reference).exitCode).toBe(ExitCode.rejected);
    const error = pushFailure(unknown, reference, {
      registryUnavailable:
        'HEAD to 127.0.0.1:5000 failed after 2 attempts: no answer within 5000 ms',
    });
    expect(error.exitCode).toBe(ExitCode.unavailable);
    expect(error.message).toContain("(hla-compass's own check: HEAD to 127.0.0.1:5000 failed");
  });

  it('stays exit 1 with the login hint for a refusal, whatever the CLI saw', () => {
    const error = pushFailure('denied: requested access to the resource is denied', reference, {
      registryUnavailable: 'no answer',
    });
    expect(error.exitCode).toBe(ExitCode.rejected);
    expect(error.hint).toBe('run `docker login 127.0.0.1:5000`');
  });
});

describe('idleWatched', () => {
  async function drain(stream: PassThrough, timeoutMs: number, noticeMs: number) {
    const quiet: number[] = [];
    const chunks: string[] = [];
    try {
      for await (const chunk of idleWatched(stream, {
        timeoutMs,
        noticeMs,
        onQuiet: (silentMs) => quiet.push(silentMs),
        onTimeout: () => new Error('silent too long'),
      })) {
        chunks.push(String(chunk));
      }
      return { chunks, quiet, error: undefined };
    } catch (error) {
      return { chunks, quiet, error: (error as Error).message };
    }
  }

  it('notices each stretch of silence, then fails and destroys the stream', async () => {
    const stream = new PassThrough();
    stream.write('first');
    const result = await drain(stream, 1000, 100);
    expect(result.chunks).toEqual(['first']);
    expect(result.error).toBe('silent too long');
    expect(stream.destroyed).toBe(true);
    // Each notice says how long it has been quiet, in whole stretches, always more than before.
    expect(result.quiet.length).toBeGreaterThan(0);
    expect(result.quiet).toEqual([...new Set(result.quiet)].sort((a, b) => a - b));
    expect(result.quiet.every((ms) => ms % 100 === 0 && ms < 1000)).toBe(true);
  });

  it('lets a stream that keeps talking run as long as it talks', async () => {
    const stream = new PassThrough();
    const talk = setInterval(() => stream.write('.'), 40);
    setTimeout(() => {
      clearInterval(talk);
      stream.end();
    }, 500);
    const result = await drain(stream, 2000, 1000);
    expect(result.error).toBeUndefined();
    expect(result.quiet).toEqual([]);
    expect(result.chunks.length).toBeGreaterThan(5);
  });

  it('notices at each quarter of the timeout in whole seconds', () => {
    expect(noticeInterval(120_000)).toBe(30_000);
    expect(noticeInterval(3_000)).toBe(1_000);
    expect(noticeInterval(1_000)).toBe(1_000);
  });
});

describe('PushLog off a terminal', () => {
  it('shows each retry the engine starts, once, and not its countdown', () => {
    let written = '';
    const stream = {
      write: (text: string) => {
        written += text;
      },
    };
    const logger = new Logger(stream, { verbose: false, style: createStyle(false) });
    const log = new PushLog(logger, { tty: false, verbose: false });
    for (const status of [
      'Preparing',
      'Retrying in 5 seconds',
      'Retrying in 4 seconds',
      'Retrying in 1 second',
      'Retrying in 10 seconds',
      'Retrying in 9 seconds',
      'Pushed',
    ]) {
      log.event(parseProgressEvent(JSON.stringify({ status, id: 'abc123' })));
    }
    expect(written).toBe(
      'abc123: Retrying in 5 seconds\nabc123: Retrying in 10 seconds\nabc123: Pushed\n',
    );
  });
});
