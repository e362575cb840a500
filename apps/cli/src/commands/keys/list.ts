// `hla-compass keys list`: the signing keys registered to you in an environment, revoked ones
// included, with this machine's key marked.
import { defineCommand } from '../../command.js';
import { keyLayout, loadSigningKeys } from '../../signing-keys.js';
import { formatTable } from '../../terminal.js';

export default defineCommand({
  description:
    'Lists the signing keys registered to your user in the selected environment, revoked ones included. The key of this machine is marked with *, ' +
    "and so is the Python SDK's RSA key when it is registered (`keys register --sdk-key`).",
  options: {},
  examples: [
    { command: 'hla-compass keys list --env staging', description: 'which keys can sign for me' },
  ],
  async run(_input, context) {
    const platform = await context.platform();
    const { items } = await platform.listKeys();
    const local = await loadSigningKeys(context.configDir).then(
      (keys) => keys.keyFingerprint,
      () => undefined,
    );
    const sdk = keyLayout(context.configDir).sdkKey?.keyFingerprint;
    const keys = items.map((key) => ({
      ...key,
      thisMachine: key.fingerprint === local || key.fingerprint === sdk,
      ...(key.fingerprint === sdk ? { usedBy: 'Python SDK' as const } : {}),
    }));
    context.output.result({ environment: platform.environment.name, keys }, (result) =>
      result.keys.length === 0
        ? [
            `No keys registered in ${result.environment}. Run \`hla-compass keys register --env ${result.environment}\`.`,
          ]
        : formatTable(
            ['', 'FINGERPRINT', 'NAME', 'REGISTERED', 'STATUS'],
            result.keys.map((key) => [
              key.thisMachine ? '*' : '',
              key.fingerprint,
              key.name ?? '',
              key.createdAt,
              `${key.revokedAt ? `revoked ${key.revokedAt}` : 'active'}${key.usedBy ? `, ${key.usedBy} key` : ''}`,
            ]),
            context.output.style,
          ),
    );
    return undefined;
  },
});
