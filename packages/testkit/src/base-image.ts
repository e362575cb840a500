// A base image for test builds, made without any pull (no registry is reachable): this
// machine's /bin/sh and its shared libraries, imported into the engine as one layer.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { engineRequest, progressError, socketPathOf } from './engine-api.js';
import { ServiceUnavailableError } from './service-unavailable.js';

const run = promisify(execFile);

const SERVICE = 'The test base image';
const SHELL = '/bin/sh';

/** The tag tests pass to `hla-compass build --base-image`. */
export const BASE_IMAGE_TAG = 'hla-compass-test/base:1';

/** The absolute library paths in `ldd` output (`libc.so.6 => /lib/…/libc.so.6 (0x…)`, `/lib64/ld-…`). */
export function parseLddOutput(output: string): string[] {
  const paths = output
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/i.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
  return [...new Set(paths)];
}

export function splitTag(tag: string): { repository: string; tag: string } {
  const colon = tag.lastIndexOf(':');
  if (colon <= tag.lastIndexOf('/')) return { repository: tag, tag: 'latest' };
  return { repository: tag.slice(0, colon), tag: tag.slice(colon + 1) };
}

export async function imageId(socketPath: string, tag: string): Promise<string | undefined> {
  const response = await engineRequest(socketPath, 'GET', `/images/${tag}/json`);
  if (response.status === 404) return undefined;
  if (response.status !== 200) {
    throw new ServiceUnavailableError(
      SERVICE,
      `inspecting ${tag} failed with HTTP ${response.status}: ${response.body.slice(0, 200)}`,
    );
  }
  const id: unknown = JSON.parse(response.body).Id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Makes `tag` exist in the engine at `dockerHost` and returns its image id: a no-op when it is
 * there, else `docker import` (through the engine API) of a tar holding /bin/sh and the
 * libraries `ldd /bin/sh` names. Needs a Linux host, as the files go into a Linux image.
 */
export async function ensureBaseImage(
  dockerHost: string,
  tag: string = BASE_IMAGE_TAG,
): Promise<string> {
  const socketPath = socketPathOf(dockerHost);
  const existing = await imageId(socketPath, tag);
  if (existing !== undefined) return existing;
  if (process.platform !== 'linux') {
    throw new ServiceUnavailableError(
      SERVICE,
      `it is made from this machine's ${SHELL}, which is not a Linux program on ${process.platform}`,
    );
  }
  const { stdout } = await run('ldd', [SHELL]);
  const files = [SHELL, ...parseLddOutput(stdout)];
  // -h stores what symlinks point to (/bin/sh → dash, merged /usr), so the image needs no links.
  const tar = spawn('tar', ['-c', '-h', '-C', '/', ...files.map((file) => file.slice(1))], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tarErrors = '';
  tar.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    tarErrors += chunk;
  });
  const tarExit = new Promise<number | null>((resolve, reject) => {
    tar.once('error', reject);
    tar.once('close', resolve);
  });
  const { repository, tag: version } = splitTag(tag);
  const query = new URLSearchParams({ fromSrc: '-', repo: repository, tag: version });
  const response = await engineRequest(socketPath, 'POST', `/images/create?${query}`, {
    body: tar.stdout,
    contentType: 'application/x-tar',
  });
  const code = await tarExit;
  if (code !== 0) {
    throw new ServiceUnavailableError(
      SERVICE,
      `tar ${files.join(' ')} failed: ${tarErrors.trim()}`,
    );
  }
  const failure =
    response.status === 200 ? progressError(response.body) : `HTTP ${response.status}`;
  if (failure !== undefined) {
    throw new ServiceUnavailableError(SERVICE, `importing ${tag} failed: ${failure}`);
  }
  const id = await imageId(socketPath, tag);
  if (id === undefined)
    throw new ServiceUnavailableError(SERVICE, `${tag} is missing after import`);
  return id;
}
