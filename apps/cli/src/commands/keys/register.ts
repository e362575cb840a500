// `hla-compass keys register`: registers this machine's public key with an environment, so the
// platform accepts publishes it signs there.
import { hostname } from 'node:os';
import { encodePublicKeyBase64 } from '@hla-compass/signing';
import { defineCommand, option } from '../../command.js';
import { loadSigningKeys } from '../../signing-keys.js';

export default defineCommand({
  description:
    'Registers the public key of <config dir>/keys with the selected environment, for your user. ' +
    'The platform accepts a signed publish only with a key registered to the publishing user and not revoked. Registering a key that is already yours is harmless.',
  options: {
    name: option.string('--name <name>', 'a label for the key (default: this host name)'),
  },
  examples: [
    {
      command: 'hla-compass keys register --env dev',
      description: 'before the first signed publish',
    },
    {
      command: 'hla-compass keys register --env prod --name ci-runner',
      description: 'label the key of a CI machine',
    },
  ],
  async run({ options }, context) {
    const keys = await loadSigningKeys(context.configDir);
    const platform = await context.platform();
    const registered = await platform.registerKey({
      publicKey: encodePublicKeyBase64(keys.publicKey),
      name: options.name ?? hostname(),
    });
    context.output.result({ environment: platform.environment.name, ...registered }, (result) => [
      `${context.output.style.green('✓')} Registered key ${result.fingerprint} with ${result.environment}${result.name ? ` as "${result.name}"` : ''}`,
    ]);
    return undefined;
  },
});
