// `hla-compass auth logout`: forgets the stored credentials of one environment, or of all.
import { defineCommand, option } from '../../command.js';
import { ENVIRONMENT_NAMES } from '../../config/environments.js';
import { deleteCredentials } from '../../platform/credentials.js';

export default defineCommand({
  description:
    'Deletes the stored credentials of the selected environment (or of every environment with --all). ' +
    'HLA_ACCESS_TOKEN and HLA_API_KEY, if set, are not affected.',
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
    context.output.result({ loggedOut: removed }, (result) =>
      result.loggedOut.length > 0
        ? `${context.output.style.green('✓')} Logged out of ${result.loggedOut.join(', ')}`
        : `No stored credentials for ${environments.join(', ')}`,
    );
    return undefined;
  },
});
