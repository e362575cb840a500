// What to tell a user whom a registry refused: log in to that registry, and for GitHub's
// registry, which token scope the operation needs; when the credential helper failed for it,
// repairing that first, since `docker login` cannot store a password through a broken helper.
import { credentialHelperFix } from './docker-credentials.js';

export function registryLoginHint(registry: string, access: 'pull' | 'push'): string {
  const fix = credentialHelperFix(registry);
  if (fix !== undefined) return fix;
  const login = `run \`docker login${registry === 'docker.io' ? '' : ` ${registry}`}\``;
  if (registry !== 'ghcr.io') return login;
  return access === 'push'
    ? `${login}; the token needs the write:packages scope`
    : `${login} with a GitHub token that has the read:packages scope`;
}
