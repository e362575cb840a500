// `hla-compass keys show`: the public half of the signing key pair and its fingerprint, never the
// private key; beside it, the Python SDK's RSA key when keys/ holds one.
import { encodePublicKeyBase64, encodePublicKeyPem } from '@hla-compass/signing';
import { defineCommand } from '../../command.js';
import { ExitCode } from '../../errors.js';
import {
  inspectSigningKeys,
  SDK_KEY_NEXT_STEP,
  type SdkSigningKey,
  sdkKeyOnlyMessage,
} from '../../signing-keys.js';
import { fingerprintFields, pythonSdkKeyResult } from './fingerprint.js';

export default defineCommand({
  description:
    'Shows the public key (base64 DER SPKI, as the platform stores it, and PEM) and its ' +
    'fingerprint (SHA256: + unpadded base64 of the SPKI digest). The private key is never shown. ' +
    "When keys/ holds the Python SDK's RSA pair, that key is shown too, marked as the SDK's, with " +
    'its fingerprint in both notations (ours, and the padded base64 the SDK prints); hla-compass ' +
    'signs only with its Ed25519 pair (keys/ed25519/ in that case). Exits 2 when there is no ' +
    'Ed25519 pair.',
  options: {},
  examples: [
    { command: 'hla-compass keys show', description: 'fingerprint and public key' },
    {
      command: 'hla-compass keys show --json | jq -r .fingerprint',
      description: 'just the fingerprint',
    },
    {
      command: 'hla-compass keys show --json | jq -r .pythonSdkKey.sdkFingerprint',
      description: "the Python SDK's key, as the SDK prints its fingerprint",
    },
  ],
  async run(_input, context) {
    const found = await inspectSigningKeys(context.configDir);
    const { sdkKey } = found;
    const sdkField = sdkKey === undefined ? {} : { pythonSdkKey: pythonSdkKeyResult(sdkKey) };
    const sdkLines = sdkKey === undefined ? [] : sdkKeyLines(sdkKey);
    if (found.keys === undefined) {
      // Still a result, so a script sees the SDK's key; the exit code says nothing signs here.
      context.output.result(
        {
          ...fingerprintFields(null),
          algorithm: null,
          publicKey: null,
          publicKeyPem: null,
          publicKeyPath: null,
          ...sdkField,
        },
        () => ['No Ed25519 key yet: hla-compass has nothing to sign with.', '', ...sdkLines],
      );
      context.logger.warn(sdkKeyOnlyMessage(found.sdkKey));
      context.logger.hint(SDK_KEY_NEXT_STEP);
      return ExitCode.invalidInput;
    }
    const { keys } = found;
    context.output.result(
      {
        ...fingerprintFields(keys.keyFingerprint),
        algorithm: 'Ed25519',
        publicKey: encodePublicKeyBase64(keys.publicKey),
        publicKeyPem: encodePublicKeyPem(keys.publicKey),
        publicKeyPath: keys.publicKeyPath,
        ...sdkField,
      },
      (result) => [
        `fingerprint  ${result.fingerprint}`,
        `algorithm    ${result.algorithm}`,
        `public key   ${result.publicKey}`,
        `file         ${result.publicKeyPath}`,
        ...(sdkLines.length === 0 ? [] : ['', ...sdkLines]),
      ],
    );
    return undefined;
  },
});

function sdkKeyLines(sdkKey: SdkSigningKey): string[] {
  return [
    'Python SDK key (used by the Python SDK; hla-compass does not sign with it):',
    `  fingerprint      ${sdkKey.keyFingerprint}`,
    `  SDK fingerprint  ${sdkKey.sdkFingerprint}`,
    `  algorithm        ${sdkKey.algorithm} SHA-256${sdkKey.keySize === null ? '' : `, ${sdkKey.keySize}-bit key`}`,
    `  files            ${sdkKey.privateKeyPath}, ${sdkKey.publicKeyPath}`,
  ];
}
