// @hla-compass/signing: RFC 8785 canonical JSON, Ed25519 keys and key files, the signed publish
// statement, the proof of possession a key registration carries, and the Python SDK's legacy
// RSA-PSS manifest signatures, shared by the CLI (which signs) and the emulator (which verifies).

export { canonicalize, canonicalizeToBytes } from './canonical-json.js';
export {
  ED25519_KEY_LENGTH,
  ED25519_SIGNATURE_LENGTH,
  generateKeyPair,
  type KeyPair,
  publicKeyFromPrivateKey,
  signBytes,
  verifyBytes,
} from './ed25519.js';
export {
  CanonicalizationError,
  InvalidStatementError,
  JsonParseError,
  KeyFilePermissionError,
  KeyFormatError,
  KeyMismatchError,
  KeysExistError,
  KeysNotFoundError,
  SigningError,
  type SigningErrorCode,
} from './errors.js';
export { keyFingerprint, spkiFingerprint } from './fingerprint.js';
export { parseJson, parseJsonLossless } from './json-parse.js';
export type {
  JsonArray,
  JsonObject,
  JsonPrimitive,
  JsonValue,
  LosslessJsonArray,
  LosslessJsonObject,
  LosslessJsonValue,
} from './json-value.js';
export { JsonNumber, MAX_JSON_DEPTH } from './json-value.js';
export {
  decodePrivateKeyPem,
  decodePublicKeyBase64,
  decodePublicKeyPem,
  encodePrivateKeyPem,
  encodePublicKeyBase64,
  encodePublicKeyPem,
  privateKeyFromPkcs8Der,
  privateKeyToPkcs8Der,
  publicKeyFromSpkiDer,
  publicKeyToSpkiDer,
} from './key-encoding.js';
export {
  KEY_DIR_MODE,
  type KeyFilePaths,
  PRIVATE_KEY_FILE,
  PRIVATE_KEY_MODE,
  PUBLIC_KEY_FILE,
  PUBLIC_KEY_MODE,
  readKeyFiles,
  type StoredKeyPair,
  type WriteKeyFilesOptions,
  writeKeyFiles,
} from './key-files.js';
export {
  KEY_REGISTRATION_RSA_SALT_LENGTH,
  KEY_REGISTRATION_STATEMENT_TYPE,
  type KeyRegistrationInput,
  type KeyRegistrationStatement,
  keyRegistrationBytes,
  keyRegistrationStatement,
  signKeyRegistration,
  signKeyRegistrationRsa,
  verifyKeyRegistration,
} from './key-registration.js';
export {
  LEGACY_HASH_ALGORITHM,
  LEGACY_SIGNATURE_ALGORITHM,
  LEGACY_SIGNATURE_BINDS,
  LEGACY_SIGNATURE_FIELDS,
  type LegacyVerificationResult,
  legacyManifestBytes,
  verifyLegacyManifestSignature,
} from './legacy-signature.js';
export {
  PUBLISH_SCOPES,
  PUBLISH_STATEMENT_BINDS,
  PUBLISH_STATEMENT_TYPE,
  PUBLISH_STATEMENT_TYPE_V1,
  type PublishScope,
  type PublishStatement,
  type PublishStatementInput,
  publishStatement,
  publishStatementBytes,
  SIGNATURE_ALGORITHM,
  SIGNATURE_FIELDS,
  type SignatureField,
  type SignatureFields,
  signPublishStatement,
  type VerificationResult,
  verifyPublishStatement,
} from './publish-statement.js';
export { pythonJsonDumps } from './python-json.js';
export {
  decodeRsaPublicKey,
  MAX_RSA_MODULUS_BITS,
  MIN_RSA_MODULUS_BITS,
  type RsaPublicKey,
} from './rsa-public-key.js';
export {
  isReservedSignatureField,
  legacyUnsignedManifest,
  RESERVED_SIGNATURE_FIELDS,
  unsignedManifest,
} from './signature-fields.js';
export {
  decodeSigningPublicKeyBase64,
  type SigningKeyAlgorithm,
  type SigningPublicKey,
} from './signing-public-key.js';
export type { VerificationFailure, VerificationFailureReason } from './verification.js';
