// `hla-compass approvals list`: the superusers' review queue, every org's public versions waiting
// for a decision, oldest first, with what a reviewer checks before deciding.
import { PUBLISH_STATES, type ReviewPublish } from '@hla-compass/platform-api';
import { defineCommand, option } from '../../command.js';
import { formatTable } from '../../terminal.js';

export default defineCommand({
  description:
    'Lists the publishes waiting for a platform superuser in the selected environment (superusers only): public versions of every org, oldest first, ' +
    'with the org, the submitter, the image digest the platform resolved, the signature kind and how long each has waited. ' +
    "--state APPROVED or REJECTED lists the decided ones instead. --json gives every field, the key fingerprint and the signature's bindings included.",
  options: {
    state: option.choice('--state <state>', PUBLISH_STATES, 'which publishes', 'SUBMITTED'),
    limit: option.integer('--limit <n>', 'at most this many publishes', {
      min: 1,
      max: 500,
      defaultValue: 100,
    }),
  },
  examples: [
    { command: 'hla-compass approvals list --env prod', description: 'what waits for review' },
    {
      command: "hla-compass approvals list --env dev --json | jq -r '.publishes[].publishId'",
      description: 'the ids, for scripts',
    },
    {
      command: 'hla-compass approvals list --env prod --state REJECTED',
      description: 'what was turned down, with the reasons in --json',
    },
  ],
  async run({ options }, context) {
    const platform = await context.platform();
    const page = await platform.listReviewPublishes({
      state: options.state,
      limit: options.limit,
    });
    const now = Date.now();
    context.output.result(
      {
        environment: platform.environment.name,
        state: options.state,
        total: page.total,
        publishes: page.items,
      },
      (result) =>
        result.publishes.length === 0
          ? [`No ${result.state} publishes in ${result.environment}.`]
          : [
              ...formatTable(
                ['PUBLISH', 'MODULE', 'ORG', 'SUBMITTER', 'DIGEST', 'SIGNATURE', 'AGE'],
                result.publishes.map((publish) => [
                  publish.publishId,
                  `${publish.moduleName}@${publish.version}`,
                  publish.orgName,
                  publish.submittedBy.email,
                  publish.image.digest,
                  publish.signature?.kind ?? 'unsigned',
                  age(publish, now),
                ]),
                context.output.style,
              ),
              ...(result.total > result.publishes.length
                ? [`(${result.publishes.length} of ${result.total}; use --limit to see more)`]
                : []),
            ],
    );
    return undefined;
  },
});

/** How long ago it was submitted, in the largest whole unit: `45s`, `12m`, `3h`, `2d`. */
export function age(publish: Pick<ReviewPublish, 'startTime'>, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(publish.startTime)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}
