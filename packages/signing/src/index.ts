// @hla-compass/signing: RFC 8785 canonical JSON, Ed25519 keys and key files, and the signed
// publish statement, shared by the CLI (which signs) and the emulator (which verifies).

export { canonicalize, canonicalizeToBytes } from './canonical-json.js';
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
export { parseJson } from './json-parse.js';
export type { JsonArray, JsonObject, JsonPrimitive, JsonValue } from './json-value.js';
export { MAX_JSON_DEPTH } from './json-value.js';
