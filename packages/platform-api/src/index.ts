// @hla-compass/platform-api: the HTTP contract of the platform (SPEC §7), shared by the
// emulator that implements it and the CLI that consumes it.
export { apiSchemas } from './components.js';
export { ENVIRONMENTS, type Environment, isEnvironment } from './environments.js';
export * from './errors.js';
export { isLoopbackHost } from './loopback.js';
export { type OpenApiOptions, openApiDocument } from './openapi.js';
export { redactSecrets, redactValue } from './redaction.js';
export * from './routes.js';
export * from './schemas/approvals.js';
export * from './schemas/auth.js';
export * from './schemas/common.js';
export * from './schemas/keys.js';
export * from './schemas/modules.js';
export * from './schemas/publish.js';
export * from './schemas/registries.js';
