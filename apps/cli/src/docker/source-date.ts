// The one time an image carries (its `created` label, and the time of every file in its module
// layer): SOURCE_DATE_EPOCH when set, else the time of the last commit that touched the module
// when its files are as committed, else the Unix epoch. Never the wall clock, so that the same
// sources give the same image wherever and whenever they are built. Pure.
import { UsageError } from '../errors.js';

export type SourceDateOrigin = 'SOURCE_DATE_EPOCH' | 'git commit' | 'content';

export interface SourceDate {
  readonly time: Date;
  readonly origin: SourceDateOrigin;
}

/** The Unix epoch: what ko and Bazel stamp when nothing else says when the sources are from. */
export const CONTENT_TIME = new Date(0);

/** Seconds since the epoch, as reproducible-builds.org defines the variable. */
const EPOCH_SECONDS = /^\d{1,12}$/;

export function sourceDate(input: {
  readonly sourceDateEpoch: string | undefined;
  readonly committedAt: Date | undefined;
}): SourceDate {
  if (input.sourceDateEpoch !== undefined) {
    if (!EPOCH_SECONDS.test(input.sourceDateEpoch)) {
      throw new UsageError(
        `SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01, not "${input.sourceDateEpoch}"`,
        { hint: 'e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it' },
      );
    }
    return { time: new Date(Number(input.sourceDateEpoch) * 1000), origin: 'SOURCE_DATE_EPOCH' };
  }
  if (input.committedAt !== undefined) return { time: input.committedAt, origin: 'git commit' };
  return { time: CONTENT_TIME, origin: 'content' };
}
