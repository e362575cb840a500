// The registry an environment's platform publishes from by default (publish config `registry`,
// e.g. `127.0.0.1:5000/your-org`): what `build` tags with when it is told neither --tag nor
// --registry, so that `init → build → push → publish` needs no registry flag at all.
import type { CommandContext } from '../context.js';
import { AuthenticationError, ServiceUnavailableError, UsageError } from '../errors.js';

export async function defaultRegistry(context: CommandContext): Promise<string> {
  const platform = await context.platform();
  const environment = platform.environment.name;
  try {
    const { registry } = await platform.publishConfig();
    context.logger.info(
      `Using ${registry}, the default registry of ${environment} (publish config)`,
    );
    return registry;
  } catch (error) {
    if (!(error instanceof AuthenticationError || error instanceof ServiceUnavailableError))
      throw error;
    throw new UsageError(
      `no image tag: pass --registry or --tag (the ${environment} platform could not tell its default registry: ${error.message})`,
      {
        code: 'MISSING_IMAGE_TAG',
        hint: `e.g. \`hla-compass build --registry ghcr.io/your-org\`, or \`hla-compass auth login --env ${environment}\` to use ${environment}'s registry`,
        cause: error,
      },
    );
  }
}
