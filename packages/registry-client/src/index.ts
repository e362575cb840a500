// Public API of @hla-compass/registry-client: image references, allowlist matching, Docker
// credentials and the Distribution API client.

export {
  type AllowlistPattern,
  findAllowlistMatch,
  InvalidAllowlistPatternError,
  matchesAllowlist,
  parseAllowlistPattern,
} from './allowlist.js';
export type { CredentialsProvider } from './auth.js';
export { type AuthChallenge, parseAuthenticateHeader, selectChallenge } from './challenge.js';
export {
  type BlobFetch,
  type FoundManifest,
  type ManifestFetch,
  type ManifestResolution,
  type PushedManifest,
  RegistryClient,
  type RegistryClientOptions,
  type UploadedBlob,
} from './client.js';
export {
  CredentialHelperError,
  type CredentialSource,
  containersAuthFilePaths,
  type DockerCredentialOptions,
  dockerConfigPath,
  type ResolvedCredentials,
  resolveDockerCredentials,
} from './credentials.js';
export { computeDigest, digestProblem, isDigest } from './digest.js';
export {
  DOCKER_HUB_CONFIG_KEY,
  DockerConfigError,
  type RegistryCredentials,
} from './docker-config.js';
export { RegistryError, type RegistryErrorCode, type UnauthorizedReason } from './errors.js';
export { type BuiltImage, buildImage, type ImageBlob, type ImageContent } from './image.js';
export {
  imageConfigLabels,
  imageConfigLayers,
  type ManifestContent,
  manifestContent,
} from './image-config.js';
export { MANIFEST_MEDIA_TYPES, MEDIA_TYPES } from './media-types.js';
export {
  DOCKER_HUB_REGISTRY,
  type ImageReference,
  InvalidReferenceError,
  imageReference,
  isLoopbackRegistry,
  normalizeRegistryHost,
  parseImageReference,
  type ReferenceRule,
} from './reference.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
export { realmProblem } from './token.js';
export {
  type FetchLike,
  type RegistryEndpoint,
  type RegistryExchange,
  type RegistryRetryEvent,
  registryEndpoint,
} from './transport.js';
