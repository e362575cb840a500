// What to tell a user whom a registry refused: log in to that registry, and for GitHub's
// registry, which token scope the operation needs.

export function registryLoginHint(registry: string, access: 'pull' | 'push'): string {
  const login = `run \`docker login${registry === 'docker.io' ? '' : ` ${registry}`}\``;
  if (registry !== 'ghcr.io') return login;
  return access === 'push'
    ? `${login}; the token needs the write:packages scope`
    : `${login} with a GitHub token that has the read:packages scope`;
}
