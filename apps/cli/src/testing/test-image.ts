// The image `hla-compass test` runs: built by the build command's own definition, as the
// framework runs it (so the image tested is the one `hla-compass build` makes, recorded in
// .hla-compass/build.json), under the tag the module's build record names, else a local tag.
import { readBuildRecord } from '../build-record.js';
import type { CommandDefinition } from '../command.js';
import type { CommandContext } from '../context.js';
import { Output } from '../terminal.js';

export interface TestBuildOptions {
  readonly tag: string | undefined;
  readonly registry: string | undefined;
  readonly baseImage: string | undefined;
  readonly platform: string | undefined;
  readonly cache: boolean;
}

export interface TestImage {
  /** The engine's image id: what runs, whatever a tag names by then. */
  readonly imageId: string;
  readonly imageRef: string;
}

/**
 * Builds the module in `context.cwd` (never pushes) and returns the image build.json records.
 * Without --tag or --registry the tag is the build record's (the image the user builds and
 * pushes), else `localhost/<name>:<version>`, a local name that needs no login and no registry.
 */
export async function buildTestImage(
  context: CommandContext,
  options: TestBuildOptions,
  module: { readonly name: string; readonly version: string },
): Promise<TestImage> {
  const tag =
    options.tag ??
    (options.registry === undefined ? await defaultTestTag(context.cwd, module) : undefined);
  const { default: build } = await import('../commands/build.js');
  await invokeCommand(
    build,
    {
      tag: tag === undefined ? undefined : [tag],
      registry: options.registry,
      baseImage: options.baseImage,
      platform: options.platform,
      cache: options.cache,
      push: false,
    },
    quietly(context),
  );
  const record = await readBuildRecord(context.cwd);
  if (record === undefined) throw new Error('build finished without writing its build record');
  return { imageId: record.imageId, imageRef: record.imageRef };
}

async function defaultTestTag(
  moduleDir: string,
  module: { readonly name: string; readonly version: string },
): Promise<string> {
  const record = await readBuildRecord(moduleDir).catch(() => undefined);
  return record?.imageRef ?? `localhost/${module.name}:${module.version}`;
}

/**
 * Runs `definition` as the framework does: each option converted from its raw value (absent:
 * its default, as commander gives it), then `run`. Options the caller does not know of get their
 * defaults, so the build command may grow options without breaking this.
 */
export async function invokeCommand(
  definition: CommandDefinition,
  raw: Readonly<Record<string, unknown>>,
  context: CommandContext,
): Promise<void> {
  const options: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(definition.options)) {
    const flag = /--[a-z0-9-]+/.exec(spec.flags)?.[0] ?? spec.flags;
    options[key] = spec.convert(raw[key] ?? spec.defaultValue, flag);
  }
  await definition.run({ args: {}, options }, context);
}

/** The context with a result nobody reads: build's "Built …, next: push" is not test's result. */
function quietly(context: CommandContext): CommandContext {
  return {
    ...context,
    output: new Output({ write: () => true }, { json: false, style: context.output.style }),
  };
}
