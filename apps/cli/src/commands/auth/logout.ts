// `hla-compass auth logout`: forgets the stored credentials of one environment, or of all. The
// Python SDK's credentials.json (and credentials.key) in the same directory are the SDK's: kept.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand, option } from '../../command.js';
import { ENVIRONMENT_NAMES } from '../../config/environments.js';
import { deleteCredentials } from '../../platform/credentials.js';

/** The Python SDK's one credentials file (a Fernet token), beside our credentials/ directory. */
const SDK_CREDENTIALS_FILE = 'credentials.json';

export default defineCommand({
  description:
    'Deletes the stored credentials of the selected environment (or of every environment with --all). ' +
    "HLA_ACCESS_TOKEN and HLA_API_KEY, if set, are not affected, nor are the Python SDK's " +
    'credentials.json and credentials.key in the same directory (the SDK logs itself out).',
  options: {
    all: option.flag('--all', 'log out of every environment'),
  },
  examples: [
    { command: 'hla-compass auth logout --env staging', description: 'forget the staging session' },
    { command: 'hla-compass auth logout --all', description: 'forget every stored session' },
  ],
  async run({ options }, context) {
    const environments = options.all
      ? [...ENVIRONMENT_NAMES]
      : [(await context.environment()).name];
    const removed: string[] = [];
    for (const name of environments) {
      if (await deleteCredentials(context.configDir, name)) removed.push(name);
    }
    // Said because both tools are called `hla-compass`: a user may expect both sessions gone.
    if (existsSync(join(context.configDir, SDK_CREDENTIALS_FILE))) {
      context.logger.info(
        `The Python SDK's ${SDK_CREDENTIALS_FILE} was left as it is; the SDK's own \`auth logout\` removes it.`,
      );
    }
    context.output.result({ loggedOut: removed }, (result) =>
      result.loggedOut.length > 0
        ? `${context.output.style.green('✓')} Logged out of ${result.loggedOut.join(', ')}`
        : `No stored credentials for ${environments.join(', ')}`,
    );
    return undefined;
  },
});
