// `hla-compass keys init`: generates the Ed25519 key pair that signs publish statements and
// stores it as PKCS#8 / SPKI PEM (private 0600, public 0644, directory 0700).
import { generateKeyPair, KeysExistError, writeKeyFiles } from '@hla-compass/signing';
import { defineCommand, option } from '../../command.js';
import { ensureConfigDirectory } from '../../config/config-file.js';
import { asUserError, keysDirectory, loadSigningKeys } from '../../signing-keys.js';

export default defineCommand({
  description:
    'Generates an Ed25519 key pair in <config dir>/keys: private.pem (PKCS#8, mode 0600) and ' +
    'public.pem (SPKI, mode 0644), readable by OpenSSL and node:crypto. `publish` signs with it; ' +
    'register the public key with each environment (`keys register --env E`) before publishing. ' +
    'Existing keys are kept unless --force is given.',
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
    const dir = keysDirectory(context.configDir);
    await ensureConfigDirectory(context.configDir);
    const keyPair = generateKeyPair();
    try {
      await writeKeyFiles(dir, keyPair, { force: options.force });
    } catch (error) {
      if (!(error instanceof KeysExistError)) throw asUserError(error);
      const existing = await loadSigningKeys(context.configDir);
      context.logger.warn(`keys already exist in ${dir}; kept them`);
      context.logger.hint('re-run with --force to replace them (then register the new key)');
      context.output.result(
        {
          created: false,
          keyFingerprint: existing.keyFingerprint,
          privateKeyPath: existing.privateKeyPath,
          publicKeyPath: existing.publicKeyPath,
        },
        (result) => [`fingerprint  ${result.keyFingerprint}`],
      );
      return undefined;
    }
    const stored = await loadSigningKeys(context.configDir);
    context.output.result(
      {
        created: true,
        keyFingerprint: stored.keyFingerprint,
        privateKeyPath: stored.privateKeyPath,
        publicKeyPath: stored.publicKeyPath,
      },
      (result) => [
        `${context.output.style.green('✓')} Created an Ed25519 key pair`,
        `fingerprint  ${result.keyFingerprint}`,
        `private key  ${result.privateKeyPath} (keep it secret)`,
        `public key   ${result.publicKeyPath}`,
        '',
        'Next: register the public key with each environment you publish to:',
        '  hla-compass keys register --env dev',
      ],
    );
    return undefined;
  },
});
