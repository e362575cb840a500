// The auth config the engine gets with every push. dockerode does not read the Docker config, so
// the user's credentials for the registry are resolved here (auths, credHelpers, credsStore,
// DOCKER_CONFIG honoured); an anonymous registry gets an empty config, which the engine needs too.
import {
  DOCKER_HUB_CONFIG_KEY,
  DOCKER_HUB_REGISTRY,
  type RegistryCredentials,
} from '@hla-compass/registry-client';
import type Dockerode from 'dockerode';
import type { CommandContext } from '../context.js';
import { dockerCredentials } from '../docker-credentials.js';

/** The engine's AuthConfig for `registry`: empty without credentials. Holds secrets: never log it. */
export function engineAuthConfig(
  registry: string,
  credentials: RegistryCredentials | undefined,
): Dockerode.AuthConfigObject {
  if (credentials === undefined) return {};
  const serveraddress = registry === DOCKER_HUB_REGISTRY ? DOCKER_HUB_CONFIG_KEY : registry;
  switch (credentials.kind) {
    case 'basic':
      return { username: credentials.username, password: credentials.password, serveraddress };
    case 'identity-token':
      return {
        ...(credentials.username === undefined ? {} : { username: credentials.username }),
        identitytoken: credentials.identityToken,
        serveraddress,
      };
    case 'registry-token':
      return { registrytoken: credentials.registryToken, serveraddress };
  }
}

/** Resolves the user's credentials for `registry` and turns them into the engine's auth config. */
export async function registryAuthConfig(
  registry: string,
  context: CommandContext,
): Promise<Dockerode.AuthConfigObject> {
  const resolved = await dockerCredentials(registry, context);
  context.logger.debug(
    resolved.credentials === undefined
      ? `no Docker credentials for ${registry}: pushing anonymously`
      : `Docker credentials for ${registry} from ${resolved.source} (${resolved.from ?? ''})`,
  );
  return engineAuthConfig(registry, resolved.credentials);
}
