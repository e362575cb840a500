// Public API of @hla-compass/testkit: real services for the test suites, provisioned on
// demand. Every missing service is a ServiceUnavailableError, in CI and out; nothing skips.

export { BASE_IMAGE_TAG, ensureBaseImage, parseLddOutput } from './base-image.js';
export { ensureChromium, QUIET_CHROMIUM_ARGUMENTS, type TestBrowser } from './browser.js';
export {
  type CliMachine,
  type CliMachineOptions,
  type CliRunner,
  type CliRunOptions,
  cliMachine,
} from './cli-machine.js';
export {
  type ConsoleAccount,
  type ConsoleSignIn,
  decodeHtmlAttribute,
  signInOnConsole,
} from './console-login.js';
export {
  APT_LOCK_PATH,
  type AptInstallOptions,
  aptInstallCommand,
  currentDebianHost,
  type DebianHost,
  type DebianPackageOptions,
  ensureDebianPackages,
  installDebianPackages,
  installRefusal,
  missingDebianPackages,
} from './debian.js';
export {
  type DockerEngineOptions,
  existingEngineSockets,
  mountsBelow,
  privateDaemonArguments,
  type RunningDockerEngine,
  startDockerEngine,
} from './docker-engine.js';
export {
  type EmulatorOptions,
  type RunningEmulator,
  seedForRegistry,
  startEmulator,
} from './emulator.js';
export { findExecutable } from './executables.js';
export {
  type Fault,
  type FaultKind,
  type FaultProxy,
  type FaultProxyOptions,
  type ProxiedRequest,
  startFaultProxy,
} from './fault-proxy.js';
export { ensureNodeBaseImage, NODE_BASE_IMAGE_TAG, npmDirectoryOf } from './node-image.js';
export {
  type InstalledPackage,
  type PackOptions,
  packInstalled,
  productionClosure,
} from './npm-mirror.js';
export { freePort, LOOPBACK_HOST, onFreePort, PortInUseError } from './ports.js';
export {
  binaryHostVariable,
  type PrebuildHostOptions,
  prebuildTarballName,
  type RunningPrebuildHost,
  startPrebuildHost,
} from './prebuild-host.js';
export {
  type PublishingSeed,
  publishingSeed,
  type SeedAccount,
  type SeedRole,
  type SeedUser,
  seedAccounts,
  seedSecrets,
} from './publishing-seed.js';
export {
  type RegistryOptions,
  type RegistryUser,
  type RunningRegistry,
  startRegistry,
} from './registry.js';
export { ensureRuntimeImage, RUNTIME_IMAGE_TAG } from './runtime-image.js';
export { ServiceUnavailableError } from './service-unavailable.js';
export { allStoredTokens, storedTokens } from './stored-credentials.js';
export {
  definedEnvironment,
  type ProcessResult,
  processExited,
  type RunProcessOptions,
  runProcess,
  stopProcess,
} from './subprocess.js';
export { type RunningVerdaccio, startVerdaccio, type VerdaccioOptions } from './verdaccio.js';
