// @hla-compass/signing: RFC 8785 canonical JSON, Ed25519 keys and key files, and the signed
// publish statement, shared by the CLI (which signs) and the emulator (which verifies).

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
export { keyFingerprint } from './fingerprint.js';
export { parseJson } from './json-parse.js';
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from './json-value.js';
export { MAX_JSON_DEPTH } from './json-value.js';
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
  PUBLISH_SCOPES,
  PUBLISH_STATEMENT_TYPE,
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
  unsignedManifest,
  type VerificationFailureReason,
  type VerificationResult,
  verifyPublishStatement,
} from './publish-statement.js';
