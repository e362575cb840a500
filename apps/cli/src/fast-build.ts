// The fast path of `build` (see fast-path.ts): the stamp of the inputs (build-stamp.ts) is the one
// the last build recorded, the base image is still the one it built on and every tag still names
// its image, so the answer is the last build's, printed as the full command prints it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseImageReference } from '@hla-compass/registry-client/reference';
import { type BuildResult, buildResultLines } from './build-result.js';
import { buildStamp } from './build-stamp.js';
import { CONFIG_FILE, configDirectory } from './config/config-file.js';
import { Settings } from './config/variables.js';
import { contextFilter, readDockerignore } from './docker/context-filter.js';
import { GENERATED_DOCKERFILE, MODULE_ARCHIVE, MODULE_DOCKERFILE } from './docker/dockerfile.js';
import { dockerEndpoint } from './docker/engine.js';
import { gitState } from './docker/git-state.js';
import {
  engineImageId,
  type FastPathSystem,
  isReuse,
  readRecord,
  writeRecord,
  writeResult,
} from './fast-path.js';
import { colorEnabled, createStyle } from './terminal.js';
import { CLI_VERSION } from './version.js';

const DEFAULT_PLATFORM = 'linux/amd64';

interface BuildArguments {
  readonly tags: readonly string[];
  readonly registry: string | undefined;
  readonly baseImage: string | undefined;
  readonly platform: string | undefined;
  readonly json: boolean;
}

/**
 * `build`'s arguments when they are only these (as commander reads them: `--tag a b`, `--tag a
 * --tag b`, `--flag=value`): --tag, --registry, --base-image, --platform, --json. Anything else
 * (--push, --no-cache, --env, --verbose, --help, …) is for the full command.
 */
export function buildArguments(args: readonly string[]): BuildArguments | undefined {
  const tags: string[] = [];
  const values: Record<string, string | undefined> = {};
  let json = false;
  for (let index = 0; index < args.length; index++) {
    const token = args[index] as string;
    const [flag, inline] = token.startsWith('--') ? splitInline(token) : [token, undefined];
    if (flag === '--json' && inline === undefined) {
      json = true;
    } else if (flag === '--tag') {
      if (inline !== undefined) {
        tags.push(inline);
        continue;
      }
      const start = tags.length;
      while (index + 1 < args.length && !(args[index + 1] as string).startsWith('-')) {
        tags.push(args[++index] as string);
      }
      if (tags.length === start) return undefined;
    } else if (flag === '--registry' || flag === '--base-image' || flag === '--platform') {
      if (values[flag] !== undefined) return undefined;
      const value = inline ?? args[++index];
      if (value === undefined || value.startsWith('-')) return undefined;
      values[flag] = value;
    } else {
      return undefined;
    }
  }
  if (tags.some((tag) => tag.trim() === '')) return undefined;
  return {
    tags,
    registry: values['--registry'],
    baseImage: values['--base-image'],
    platform: values['--platform'],
    json,
  };
}

function splitInline(token: string): [string, string | undefined] {
  const equals = token.indexOf('=');
  return equals === -1 ? [token, undefined] : [token.slice(0, equals), token.slice(equals + 1)];
}

export async function fastBuild(
  args: readonly string[],
  system: FastPathSystem,
): Promise<undefined | 0> {
  const options = buildArguments(args);
  // Without --tag or --registry the tag comes from the platform's publish config.
  if (options === undefined || (options.tags.length === 0 && options.registry === undefined)) {
    return undefined;
  }
  const dir = system.cwd;
  const record = await readRecord(dir);
  const reuse = record?.reuse;
  if (record === undefined || !isReuse(reuse)) return undefined;
  if (
    existsSync(join(dir, MODULE_DOCKERFILE)) ||
    !existsSync(join(dir, GENERATED_DOCKERFILE)) ||
    !existsSync(join(dir, MODULE_ARCHIVE))
  ) {
    return undefined;
  }
  const settings = new Settings(system.env);
  const configDir = configDirectory(settings.get('HLA_COMPASS_CONFIG_DIR'), system);
  const [config, dockerignore, git] = await Promise.all([
    readFile(join(configDir, CONFIG_FILE), 'utf8').catch(() => ''),
    readDockerignore(dir),
    gitState(dir, settings.raw),
  ]);
  if (git === undefined) return undefined;
  const stamp = await buildStamp({
    moduleDir: dir,
    include: contextFilter(dockerignore, [GENERATED_DOCKERFILE]),
    cliVersion: CLI_VERSION,
    options: {
      tags: options.tags,
      registry: options.registry,
      baseImage: options.baseImage,
      platform: options.platform ?? DEFAULT_PLATFORM,
    },
    config,
    sourceDateEpoch: settings.get('SOURCE_DATE_EPOCH'),
    dockerHost: settings.get('DOCKER_HOST'),
    git,
  });
  if (stamp !== reuse.stamp) return undefined;
  const engine = dockerEndpoint(settings.raw, {
    homeDir: system.homeDir,
    exists: existsSync,
  });
  // A TLS engine needs certificates the fast path's plain HTTP does not carry.
  if (engine.tls) return undefined;
  const ids = await Promise.all(
    [reuse.baseImage, ...reuse.tags].map((name) => engineImageId(engine, name)),
  );
  const [baseId, ...tagIds] = ids;
  if (baseId !== reuse.baseImageId || tagIds.some((id) => id !== record.imageId)) return undefined;

  // Before anything is written: a reference or digest the grammar refuses is the full command's.
  const pinned =
    record.digest === null
      ? {}
      : { pinnedRef: parseImageReference(record.imageRef).atDigest(record.digest).toString() };
  await writeRecord(dir, { ...record, builtAt: new Date().toISOString() });
  const result: BuildResult = {
    imageRef: record.imageRef,
    imageId: record.imageId,
    tags: reuse.tags,
    baseImage: reuse.baseImage,
    dockerfile: GENERATED_DOCKERFILE,
    dockerfileGenerated: true,
    platform: record.platform,
    manifestDigest: record.manifestDigest,
    created: reuse.created,
    createdFrom: reuse.createdFrom,
    upToDate: true,
    pushed: record.pushed,
    digest: record.digest,
    ...pinned,
  };
  const warningStyle = createStyle(colorEnabled(system.stderr, settings));
  for (const warning of reuse.warnings) {
    system.stderr.write(`${warningStyle.yellow('warning:')} ${warning}\n`);
  }
  writeResult(system, settings, options.json, result, buildResultLines);
  return 0;
}
