// `hla-compass keys show`: the public half of the signing key pair and its fingerprint, never the
// private key.
import { encodePublicKeyBase64, encodePublicKeyPem } from '@hla-compass/signing';
import { defineCommand } from '../../command.js';
import { loadSigningKeys } from '../../signing-keys.js';

export default defineCommand({
  description:
    'Shows the public key (base64 DER SPKI, as the platform stores it, and PEM) and its ' +
    'fingerprint (SHA256: + unpadded base64 of the SPKI digest). The private key is never shown.',
  options: {},
  examples: [
    { command: 'hla-compass keys show', description: 'fingerprint and public key' },
    {
      command: 'hla-compass keys show --json | jq -r .keyFingerprint',
      description: 'just the fingerprint',
    },
  ],
  async run(_input, context) {
    const keys = await loadSigningKeys(context.configDir);
    context.output.result(
      {
        keyFingerprint: keys.keyFingerprint,
        algorithm: 'Ed25519',
        publicKey: encodePublicKeyBase64(keys.publicKey),
        publicKeyPem: encodePublicKeyPem(keys.publicKey),
        publicKeyPath: keys.publicKeyPath,
      },
      (result) => [
        `fingerprint  ${result.keyFingerprint}`,
        `algorithm    ${result.algorithm}`,
        `public key   ${result.publicKey}`,
        `file         ${result.publicKeyPath}`,
      ],
    );
    return undefined;
  },
});
