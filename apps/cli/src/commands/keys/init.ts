// `hla-compass keys init`: generates the Ed25519 key pair that signs publish statements and
// stores it as PKCS#8 / SPKI PEM (private 0600, public 0644, directory 0700), in keys/ or, when
// keys/ holds the Python SDK's RSA pair, in keys/ed25519/ beside it.
import { generateKeyPair, KeysExistError, writeKeyFiles } from '@hla-compass/signing';
import { defineCommand, option } from '../../command.js';
import { ensureConfigDirectory } from '../../config/config-file.js';
import { keyLayout, loadSigningKeys, type SdkSigningKey } from '../../signing-keys.js';
import { fingerprintFields, type PythonSdkKeyResult, pythonSdkKeyResult } from './fingerprint.js';

export default defineCommand({
  description:
    'Generates an Ed25519 key pair in <config dir>/keys: private.pem (PKCS#8, mode 0600) and ' +
    'public.pem (SPKI, mode 0644), readable by OpenSSL and node:crypto. `publish` signs with it; ' +
    'register the public key with each environment (`keys register --env E`) before publishing. ' +
    "Existing keys are kept unless --force is given. When keys/ holds the Python SDK's RSA pair, " +
    "the Ed25519 pair goes to keys/ed25519/ beside it and the SDK's files are never touched, " +
    'with --force too.',
  options: {
    force: option.flag(
      '--force',
      'replace an existing key pair (keys registered with the platform stop working)',
    ),
  },
  examples: [
    { command: 'hla-compass keys init', description: 'create the key pair once per machine' },
    {
      command: 'hla-compass keys init --force',
      description: 'rotate: new keys, then `keys register` them again',
    },
  ],
  async run({ options }, context) {
    const { directory: dir, sdkKey } = keyLayout(context.configDir);
    await ensureConfigDirectory(context.configDir);
    const keyPair = generateKeyPair();
    try {
      await writeKeyFiles(dir, keyPair, { force: options.force });
    } catch (error) {
      if (!(error instanceof KeysExistError)) throw error;
      const existing = await loadSigningKeys(context.configDir);
      context.logger.warn(`keys already exist in ${dir}; kept them`);
      context.logger.hint('re-run with --force to replace them (then register the new key)');
      context.output.result(
        {
          created: false,
          ...fingerprintFields(existing.keyFingerprint),
          privateKeyPath: existing.privateKeyPath,
          publicKeyPath: existing.publicKeyPath,
          ...sdkKeyField(sdkKey),
        },
        (result) => [`fingerprint  ${result.fingerprint}`, ...sdkKeyLines(sdkKey)],
      );
      return undefined;
    }
    const stored = await loadSigningKeys(context.configDir);
    context.output.result(
      {
        created: true,
        ...fingerprintFields(stored.keyFingerprint),
        privateKeyPath: stored.privateKeyPath,
        publicKeyPath: stored.publicKeyPath,
        ...sdkKeyField(sdkKey),
      },
      (result) => [
        `${context.output.style.green('✓')} Created an Ed25519 key pair${sdkKey ? " beside the Python SDK's RSA pair" : ''}`,
        `fingerprint  ${result.fingerprint}`,
        `private key  ${result.privateKeyPath} (keep it secret)`,
        `public key   ${result.publicKeyPath}`,
        ...sdkKeyLines(sdkKey),
        '',
        'Next: register the public key with each environment you publish to:',
        '  hla-compass keys register --env dev',
        ...(sdkKey
          ? [
              "and, where the platform wants the Python SDK's key registered too (prod):",
              '  hla-compass keys register --env prod --sdk-key',
            ]
          : []),
      ],
    );
    return undefined;
  },
});

/** Present only beside the SDK's pair, so the output of everyone else stays as it was. */
function sdkKeyField(sdkKey: SdkSigningKey | undefined): { pythonSdkKey?: PythonSdkKeyResult } {
  return sdkKey === undefined ? {} : { pythonSdkKey: pythonSdkKeyResult(sdkKey) };
}

function sdkKeyLines(sdkKey: SdkSigningKey | undefined): string[] {
  if (sdkKey === undefined) return [];
  return [
    `Python SDK   ${sdkKey.privateKeyPath}: RSA-PSS, ${sdkKey.keyFingerprint}, left as it is`,
  ];
}
