// The labels on every image `build` makes: the OCI annotations (title, version, created and, from
// git, revision and source) and the digest of the manifest the image was built from. Pure.

export const MANIFEST_DIGEST_LABEL = 'io.hla-compass.manifest.digest';

export interface ImageLabelInput {
  readonly name: string;
  readonly version: string;
  readonly manifestDigest: string;
  readonly created: Date;
  /** The commit and repository URL of the module's git checkout, when it is one. */
  readonly revision?: string | undefined;
  readonly source?: string | undefined;
}

export function imageLabels(input: ImageLabelInput): Record<string, string> {
  return {
    'org.opencontainers.image.title': input.name,
    'org.opencontainers.image.version': input.version,
    'org.opencontainers.image.created': input.created.toISOString(),
    ...(input.revision === undefined
      ? {}
      : { 'org.opencontainers.image.revision': input.revision }),
    ...(input.source === undefined ? {} : { 'org.opencontainers.image.source': input.source }),
    [MANIFEST_DIGEST_LABEL]: input.manifestDigest,
  };
}
