// The one way the test images come to be without any pull (no registry is reachable here): files
// of this machine written into a tar, imported into the engine under a tag (`docker import`
// through the engine API), once per engine. The base, runtime and Node images are recipes for it.
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { engineRequest, progressError, socketPathOf } from './engine-api.js';
import { ServiceUnavailableError } from './service-unavailable.js';

const run = promisify(execFile);

export interface ImageRecipe {
  /** What is unavailable when it fails, e.g. "The test base image". */
  readonly service: string;
  /** What the image is made of, for the refusal on another OS: "this machine's /bin/sh". */
  readonly madeFrom: string;
  /**
   * Writes the image's files as a tar to `archive` (`stage` is a temp dir removed afterwards) and
   * returns the Dockerfile instructions the import applies (ENV, CMD, ENTRYPOINT), if any.
   */
  writeArchive(archive: string, stage: string): Promise<readonly string[] | undefined>;
}

/** The absolute library paths in `ldd` output (`libc.so.6 => /lib/…/libc.so.6 (0x…)`, `/lib64/ld-…`). */
export function parseLddOutput(output: string): string[] {
  const paths = output
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/i.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
  return [...new Set(paths)];
}

/** The shared libraries `ldd` lists for each of `binaries`, once each. */
export async function sharedLibraries(binaries: readonly string[]): Promise<string[]> {
  const libraries = new Set<string>();
  for (const binary of binaries) {
    for (const library of parseLddOutput((await run('ldd', [binary])).stdout)) {
      libraries.add(library);
    }
  }
  return [...libraries];
}

/** `tar ARGS`; a failure is `service` being unavailable, with tar's own message. */
export async function tar(service: string, args: readonly string[]): Promise<void> {
  try {
    await run('tar', [...args], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr || (error as Error).message;
    throw new ServiceUnavailableError(service, `tar ${args[0]} failed: ${stderr.trim()}`);
  }
}

function splitTag(tag: string): { repository: string; tag: string } {
  const colon = tag.lastIndexOf(':');
  if (colon <= tag.lastIndexOf('/')) return { repository: tag, tag: 'latest' };
  return { repository: tag.slice(0, colon), tag: tag.slice(colon + 1) };
}

async function imageId(socketPath: string, tag: string, service: string) {
  const response = await engineRequest(socketPath, 'GET', `/images/${tag}/json`);
  if (response.status === 404) return undefined;
  if (response.status !== 200) {
    throw new ServiceUnavailableError(
      service,
      `inspecting ${tag} failed with HTTP ${response.status}: ${response.body.slice(0, 200)}`,
    );
  }
  const id: unknown = JSON.parse(response.body).Id;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Makes `tag` exist in the engine at `dockerHost` and returns its image id: a no-op when it is
 * there, else the recipe's archive imported with its changes. Needs a Linux host, as the files
 * go into a Linux image.
 */
export async function ensureImportedImage(
  dockerHost: string,
  tag: string,
  recipe: ImageRecipe,
): Promise<string> {
  const socketPath = socketPathOf(dockerHost);
  const existing = await imageId(socketPath, tag, recipe.service);
  if (existing !== undefined) return existing;
  if (process.platform !== 'linux') {
    throw new ServiceUnavailableError(
      recipe.service,
      `it is made from ${recipe.madeFrom}, which is not a Linux program on ${process.platform}`,
    );
  }
  const stage = await mkdtemp(join(tmpdir(), 'hla-image-'));
  try {
    const archive = join(stage, 'image.tar');
    const changes = (await recipe.writeArchive(archive, stage)) ?? [];
    const { repository, tag: version } = splitTag(tag);
    const query = new URLSearchParams({ fromSrc: '-', repo: repository, tag: version });
    for (const change of changes) query.append('changes', change);
    const response = await engineRequest(socketPath, 'POST', `/images/create?${query}`, {
      body: createReadStream(archive),
      contentType: 'application/x-tar',
      timeoutMs: 300_000,
    });
    const failure =
      response.status === 200 ? progressError(response.body) : `HTTP ${response.status}`;
    if (failure !== undefined) {
      throw new ServiceUnavailableError(recipe.service, `importing ${tag} failed: ${failure}`);
    }
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  const id = await imageId(socketPath, tag, recipe.service);
  if (id === undefined) {
    throw new ServiceUnavailableError(recipe.service, `${tag} is missing after import`);
  }
  return id;
}
