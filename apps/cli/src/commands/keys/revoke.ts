// `hla-compass keys revoke`: revokes one of your keys in an environment. A revoked key never
// signs a publish there again and cannot be registered again.
import { defineCommand } from '../../command.js';

export default defineCommand({
  description:
    'Revokes one of your registered keys in the selected environment. From then on the platform refuses publishes signed with it (UNTRUSTED_KEY), and it cannot be registered again: create a new pair with `hla-compass keys init --force`.',
  arguments: [{ name: 'fingerprint', description: 'the key to revoke (SHA256:…)', required: true }],
  options: {},
  examples: [
    {
      command: 'hla-compass keys revoke SHA256:7Vb0… --env prod',
      description: 'after a key was exposed',
    },
  ],
  async run({ args }, context) {
    const platform = await context.platform();
    const revoked = await platform.revokeKey(args.fingerprint);
    context.output.result({ environment: platform.environment.name, ...revoked }, (result) => [
      `${context.output.style.green('✓')} Revoked key ${result.fingerprint} in ${result.environment}`,
    ]);
    return undefined;
  },
});
