// `hla-compass keys register`: registers this machine's public key with an environment, so the
// platform accepts publishes it signs there; with --sdk-key, the Python SDK's RSA key instead, so
// an environment that accepts legacy signatures only from registered keys takes the SDK's.
import { hostname } from 'node:os';
import { defineCommand, option } from '../../command.js';
import { UsageError } from '../../errors.js';
import {
  keyLayout,
  keyRegistration,
  loadSigningKeys,
  type SdkSigningKey,
} from '../../signing-keys.js';

export default defineCommand({
  description:
    'Registers the public key of <config dir>/keys with the selected environment, for your user. ' +
    'The platform accepts a signed publish only with a key registered to the publishing user and not revoked. Registering a key that is already yours is harmless. ' +
    "The request carries a proof of possession, the key's signature over your user, org and environment, so only whoever holds the private key can register it. " +
    "--sdk-key registers the Python SDK's RSA key (keys/private.pem of the SDK) instead, so the " +
    "platform also accepts the SDK's RSA-PSS publishes where its policy wants registered keys; " +
    'hla-compass itself still signs with its Ed25519 key.',
  options: {
    name: option.string('--name <name>', 'a label for the key (default: this host name)'),
    sdkKey: option.flag(
      '--sdk-key',
      "register the Python SDK's RSA public key rather than the Ed25519 key hla-compass signs with",
    ),
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
    {
      command: 'hla-compass keys register --env prod --sdk-key',
      description: 'let prod accept what the Python SDK on this machine publishes',
    },
  ],
  async run({ options }, context) {
    const key = options.sdkKey
      ? { sdk: sdkKey(context.configDir) }
      : { ed25519: await loadSigningKeys(context.configDir) };
    const platform = await context.platform();
    const registered = await platform.registerKey({
      ...(await keyRegistration(platform, key)),
      name: options.name ?? (options.sdkKey ? `${hostname()} (Python SDK)` : hostname()),
    });
    const what = options.sdkKey ? "the Python SDK's key" : 'key';
    const algorithm = options.sdkKey ? ` (${registered.algorithm})` : '';
    context.output.result({ environment: platform.environment.name, ...registered }, (result) => [
      `${context.output.style.green('✓')} Registered ${what} ${result.fingerprint}${algorithm} with ${result.environment}${result.name ? ` as "${result.name}"` : ''}`,
    ]);
    return undefined;
  },
});

function sdkKey(configDir: string): SdkSigningKey {
  const { sdkKey, directory } = keyLayout(configDir);
  if (sdkKey === undefined) {
    throw new UsageError(
      `there is no Python SDK key in ${configDir}/keys: its private.pem is not an RSA key`,
      {
        code: 'KEYS_NOT_FOUND',
        hint: `without --sdk-key, \`keys register\` registers the Ed25519 key in ${directory}`,
      },
    );
  }
  return sdkKey;
}
