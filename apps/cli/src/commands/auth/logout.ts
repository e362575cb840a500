// `hla-compass auth logout`: ends the stored sign-in of one environment, or of all, at the
// platform (best effort) and forgets it here. The Python SDK's credentials.json (and
// credentials.key) in the same directory are the SDK's: kept.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand, option } from '../../command.js';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../config/environments.js';
import type { CommandContext } from '../../context.js';
import { deleteCredentials, readCredentials } from '../../platform/credentials.js';

/** The Python SDK's one credentials file (a Fernet token), beside our credentials/ directory. */
const SDK_CREDENTIALS_FILE = 'credentials.json';

export default defineCommand({
  description:
    'Ends the stored session of the selected environment (or of every environment with --all) at ' +
    'the platform, so that its tokens stop working, and deletes the stored credentials. When the ' +
    'platform cannot be reached, the credentials are deleted anyway and a warning says the tokens ' +
    'stay valid until they expire. Stored API keys are deleted, not revoked. HLA_ACCESS_TOKEN and ' +
    "HLA_API_KEY, if set, are not affected, nor are the Python SDK's credentials.json and " +
    'credentials.key in the same directory (the SDK logs itself out).',
  options: {
    all: option.flag('--all', 'log out of every environment'),
  },
  examples: [
    { command: 'hla-compass auth logout --env staging', description: 'end the staging session' },
    { command: 'hla-compass auth logout --all', description: 'end every stored session' },
  ],
  async run({ options }, context) {
    const environments = options.all
      ? [...ENVIRONMENT_NAMES]
      : [(await context.environment()).name];
    const removed: string[] = [];
    const revoked: string[] = [];
    for (const name of environments) {
      if (await endSession(context, name)) revoked.push(name);
      if (await deleteCredentials(context.configDir, name)) removed.push(name);
    }
    // Said because both tools are called `hla-compass`: a user may expect both sessions gone.
    if (existsSync(join(context.configDir, SDK_CREDENTIALS_FILE))) {
      context.logger.info(
        `The Python SDK's ${SDK_CREDENTIALS_FILE} was left as it is; the SDK's own \`auth logout\` removes it.`,
      );
    }
    context.output.result({ loggedOut: removed, revoked }, (result) =>
      result.loggedOut.length > 0
        ? `${context.output.style.green('✓')} Logged out of ${result.loggedOut.join(', ')}`
        : `No stored credentials for ${environments.join(', ')}`,
    );
    return undefined;
  },
});

/**
 * Ends the environment's stored sign-in at its platform; true when the platform ended it. Never
 * throws: whatever goes wrong, the local file is deleted after, and the warning says what the
 * tokens can still do.
 */
async function endSession(context: CommandContext, name: EnvironmentName): Promise<boolean> {
  const stillValid = 'its tokens stay valid until they expire';
  try {
    const stored = await readCredentials(context.configDir, name);
    if (stored === undefined) return false;
    const client = await context.platform({ environment: name });
    const outcome = await client.endSession(stored);
    if (outcome === 'not supported') {
      context.logger.warn(
        `${name} has no logout route, so the session was not ended there; ${stillValid}`,
      );
    }
    return outcome === 'ended';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.logger.warn(
      `could not end the ${name} session at the platform (${reason}); ${stillValid}`,
    );
    return false;
  }
}
