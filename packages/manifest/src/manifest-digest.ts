// The digest that names a manifest's content: sha256 of its RFC 8785 form without the signature
// fields, so the image label, build.json and publish agree on which manifest an image carries,
// whatever the key order or whitespace of the file, signed or not.
import { createHash } from 'node:crypto';
import { canonicalize, type JsonObject, unsignedManifest } from '@hla-compass/signing';

/** `sha256:<hex>` of the canonical unsigned manifest. */
export function manifestDigest(manifest: JsonObject): string {
  const canonical = canonicalize(unsignedManifest(manifest));
  return `sha256:${createHash('sha256').update(canonical, 'utf8').digest('hex')}`;
}
