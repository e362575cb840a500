// Reading what a pushed image is: which manifest of an index serves a platform, the config
// blob an image manifest names, and the labels in that config. Pure functions over bytes.
import { isDigest } from './digest.js';
import { isRecord, parseJsonObject } from './json.js';
import { MEDIA_TYPES } from './media-types.js';

/** What a manifest's bytes point at: an image's config, or an index's per-platform manifests. */
export type ManifestContent =
  | { readonly kind: 'image'; readonly configDigest: string }
  | {
      readonly kind: 'index';
      readonly manifests: readonly { readonly digest: string; readonly platform?: string }[];
    };

const INDEX_TYPES: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList];

/**
 * The content of a manifest of `mediaType`, or a string saying why it cannot be read (a
 * manifest without a config digest, an index entry without a digest).
 */
export function manifestContent(body: Uint8Array, mediaType: string): ManifestContent | string {
  const manifest = parseJsonObject(Buffer.from(body).toString('utf8'));
  if (manifest === undefined) return 'the manifest is not a JSON object';
  if (INDEX_TYPES.includes(mediaType)) {
    const entries = Array.isArray(manifest.manifests) ? manifest.manifests : [];
    const manifests: { digest: string; platform?: string }[] = [];
    for (const entry of entries) {
      if (!isRecord(entry) || typeof entry.digest !== 'string' || !isDigest(entry.digest)) {
        return 'an index entry has no valid digest';
      }
      const platform = platformOf(entry.platform);
      manifests.push(
        platform === undefined ? { digest: entry.digest } : { digest: entry.digest, platform },
      );
    }
    return { kind: 'index', manifests };
  }
  const config = manifest.config;
  if (!isRecord(config) || typeof config.digest !== 'string' || !isDigest(config.digest)) {
    return 'the image manifest names no config digest';
  }
  return { kind: 'image', configDigest: config.digest };
}

/** `os/arch[/variant]` of an index entry's platform, as Docker writes `--platform`. */
function platformOf(value: unknown): string | undefined {
  if (!isRecord(value) || typeof value.os !== 'string' || typeof value.architecture !== 'string') {
    return undefined;
  }
  const variant = typeof value.variant === 'string' ? `/${value.variant}` : '';
  return `${value.os}/${value.architecture}${variant}`;
}

/** The labels of an image config blob (`config.Labels`); empty when it has none. */
export function imageConfigLabels(body: Uint8Array): Readonly<Record<string, string>> {
  const config = parseJsonObject(Buffer.from(body).toString('utf8'))?.config;
  const labels = isRecord(config) ? config.Labels : undefined;
  if (!isRecord(labels)) return {};
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value === 'string') result[key] = value;
  }
  return result;
}

/** The uncompressed digests of an image's layers, bottom first (`rootfs.diff_ids` of its config). */
export function imageConfigLayers(body: Uint8Array): readonly string[] {
  const rootfs = parseJsonObject(Buffer.from(body).toString('utf8'))?.rootfs;
  const ids = isRecord(rootfs) ? rootfs.diff_ids : undefined;
  return Array.isArray(ids)
    ? ids.filter((id): id is string => typeof id === 'string' && isDigest(id))
    : [];
}
