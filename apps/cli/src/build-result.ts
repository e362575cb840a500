// What `build` and `push` print, in one place: the full commands and the fast path (fast-path.ts)
// answer alike, as JSON with --json and as these lines without.
import type { Style } from './terminal.js';

export interface BuildResult {
  readonly imageRef: string;
  readonly imageId: string;
  readonly tags: readonly string[];
  readonly baseImage: string | null;
  readonly dockerfile: string;
  readonly dockerfileGenerated: boolean;
  readonly platform: string;
  readonly manifestDigest: string;
  readonly created: string;
  readonly createdFrom: string;
  readonly upToDate: boolean;
  readonly pushed: boolean;
  readonly digest: string | null;
  readonly pinnedRef?: string;
}

export function buildResultLines(result: BuildResult, style: Style): string[] {
  return [
    result.upToDate
      ? `${style.green('✓')} ${result.imageRef} is up to date: the same sources gave the same image`
      : `${style.green('✓')} Built ${result.imageRef}`,
    `image id    ${result.imageId}`,
    ...(result.tags.length > 1 ? [`tags        ${result.tags.join(', ')}`] : []),
    `dockerfile  ${result.dockerfile}${result.baseImage === null ? '' : ` (generated, FROM ${result.baseImage})`}`,
    ...(result.pinnedRef === undefined
      ? ['', 'Next: push it with `hla-compass push` (or docker push)']
      : [`${style.green('✓')} Pushed ${result.pinnedRef}`]),
  ];
}

export interface PushResult {
  readonly imageRef: string;
  readonly repository: string;
  readonly digest: string;
  readonly pinnedRef: string;
  readonly pushed: boolean;
  readonly recorded: boolean;
}

export function pushResultLines(result: PushResult, style: Style): string[] {
  return [
    `${style.green('✓')} ${result.pushed ? 'Pushed' : 'Already at the registry:'} ${result.pinnedRef}`,
  ];
}

/** The log line of a push that had nothing to send. */
export function alreadyPushedLine(imageRef: string): string {
  return `${imageRef} is already at the registry: nothing to push`;
}
