// The user's registry credentials, resolved the one way every command (build, push, publish,
// test) uses: Docker's config, then the Podman/skopeo auth files. A credential helper that is
// missing or fails is the user's configuration, not a bug: like the Docker CLI, which pushes
// anonymously past a `credsStore` it cannot run, the command goes on without it and warns once,
// saying how to fix the config; a registry that then refuses gets that fix as its hint.
import {
  type CredentialHelperError,
  type ResolvedCredentials,
  resolveDockerCredentials,
} from '@hla-compass/registry-client';
import type { CommandContext } from './context.js';

/** What to do about a failed helper, by registry: for the hint of a refusal that follows. */
const helperFixes = new Map<string, string>();
const warned = new Set<string>();

/** How to repair a helper that failed for `registry`; undefined when none failed. */
export function credentialHelperFix(registry: string): string | undefined {
  return helperFixes.get(registry);
}

function helperFix(
  error: CredentialHelperError,
  registry: string,
  where: { setting: 'credsStore' | 'credHelpers'; configPath: string },
): string {
  const program = `docker-credential-${error.helper}`;
  const setting = where.setting === 'credsStore' ? '"credsStore"' : `credHelpers["${registry}"]`;
  const remove = `remove ${setting} from ${where.configPath} and run \`docker login${registry === 'docker.io' ? '' : ` ${registry}`}\` (the password then goes into that file)`;
  return error.missing
    ? `install ${program}, or ${remove}`
    : `fix ${program} (\`echo ${registry} | ${program} get\` shows its error), or ${remove}`;
}

/**
 * The credentials for `registry`. A broken Docker config is thrown as the library's
 * DockerConfigError, a usage error (exit 2) with its fix where it is reported
 * (library-errors.ts).
 */
export async function dockerCredentials(
  registry: string,
  context: CommandContext,
): Promise<ResolvedCredentials> {
  return resolveDockerCredentials(registry, {
    env: context.settings.raw,
    homeDir: context.homeDir,
    onHelperError: (error, where) => {
      const fix = helperFix(error, registry, where);
      helperFixes.set(registry, fix);
      if (warned.has(error.message)) return;
      warned.add(error.message);
      context.logger.warn(
        `${error.message}; going on without it, as docker does (anonymously unless config.json's auths or a Podman auth file has ${registry}). To fix it: ${fix}`,
      );
    },
  });
}
