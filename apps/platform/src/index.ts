// @hla-compass/platform: the local HLA-Compass platform emulator, as a library for tests and
// tools (the bin `hla-compass-platform` is the same thing behind a command line).
export { createApp, createEnvApp, MAX_BODY_BYTES } from './app.js';
export type { ImageResolution, ImageResolver } from './services/image-resolution.js';
export { registryImageResolver } from './services/image-resolution.js';
export type { LoginRateLimit } from './services/login-rate-limit.js';
export { type Seed, seedSchema } from './services/seed.js';
export {
  DEFAULT_SEED_FILE,
  loadSeedFile,
  type RunningPlatform,
  StartError,
  type StartOptions,
  startPlatform,
} from './start.js';
