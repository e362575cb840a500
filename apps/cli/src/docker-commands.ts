// docker commands the hints suggest, written so that they work for the reference at hand:
// `docker push` takes a tag, never a digest (Docker refuses `repo@sha256:…`), and `docker
// manifest inspect` speaks plain HTTP to a loopback registry only with --insecure.
import { type ImageReference, isLoopbackRegistry } from '@hla-compass/registry-client';

/** `docker push` of the image a reference names, by its tag (`TAG` when it only has a digest). */
export function dockerPushCommand(reference: ImageReference, recordedTag?: string): string {
  if (reference.digest === undefined) return `docker push ${reference.toString()}`;
  const tag = reference.tag ?? recordedTag;
  return `docker push ${reference.repository}:${tag ?? 'TAG'}`;
}

/** `docker manifest inspect`, with --insecure for a registry the CLI reaches over plain HTTP. */
export function manifestInspectCommand(reference: ImageReference): string {
  // After the reference, so the command still reads `docker manifest inspect REF`.
  const insecure = isLoopbackRegistry(reference.registry) ? ' --insecure' : '';
  return `docker manifest inspect ${reference.toString()}${insecure}`;
}
