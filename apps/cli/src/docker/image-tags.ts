// The image references build and push work with: a --tag, or <registry>/<name>:<version>. Each is
// checked against the reference grammar and written in full (registry, path and tag), so that
// the engine, build.json and publish all name the image alike.
import { type ImageReference, parseImageReference } from '@hla-compass/registry-client';
import { UsageError } from '../errors.js';
import { asCliError } from '../library-errors.js';

/**
 * A reference to build or push under: `text` parsed and normalized, `:latest` when it names no
 * tag. A digest is refused (an image gets its digest from the registry, not from its builder).
 */
export function imageTag(text: string, source: string): ImageReference {
  let reference: ImageReference;
  try {
    reference = parseImageReference(text);
  } catch (error) {
    throw asCliError(error, {
      about: source,
      hint: 'use a reference like ghcr.io/your-org/my-module:1.0.0',
    });
  }
  if (reference.digest !== undefined) {
    throw new UsageError(`${source}: an image is tagged, not pinned: drop the @sha256:… part`, {
      code: 'INVALID_IMAGE_REF',
    });
  }
  return reference.tag === undefined
    ? parseImageReference(`${reference.repository}:latest`)
    : reference;
}

/** `<registry>/<name>:<version>`, the tag a module gets when none is given. */
export function defaultImageTag(
  registry: string,
  module: { readonly name: string; readonly version: string },
): ImageReference {
  return imageTag(`${registry.replace(/\/+$/, '')}/${module.name}:${module.version}`, '--registry');
}
