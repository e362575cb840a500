// Asks a test registry itself, over the Distribution API, which manifest digest a tag or digest
// names there: what the platform must have pinned, independently of what the CLI printed.

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/**
 * The `Docker-Content-Digest` of `HOST/PATH:REFERENCE` (a tag or a digest), or undefined when the
 * registry has no such manifest. Only for the anonymous test registry.
 */
export async function registryDigest(
  repository: string,
  reference: string,
): Promise<string | undefined> {
  const slash = repository.indexOf('/');
  const host = repository.slice(0, slash);
  const path = repository.slice(slash + 1);
  const response = await fetch(`http://${host}/v2/${path}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { accept: MANIFEST_TYPES },
  });
  if (response.status === 404) return undefined;
  if (response.status !== 200) {
    throw new Error(`${repository}:${reference} answered HTTP ${response.status}`);
  }
  return response.headers.get('docker-content-digest') ?? undefined;
}
