// `hla-compass modules show NAME`: one module and the versions you may see, each digest-pinned,
// with the signature each carries and what that signature covers.
import type { VersionSignature } from '@hla-compass/platform-api';
import { defineCommand } from '../../command.js';
import { RejectedError } from '../../errors.js';
import type { PlatformClient } from '../../platform/client.js';
import type { ModuleSummaryView } from '../../platform/hosted-answers.js';
import { formatTable } from '../../terminal.js';
import { describeVersion } from './list.js';

export default defineCommand({
  description:
    'Shows a module of the selected environment, by name or id, with every version you may see: its state, scope, digest-pinned image and signature (algorithm, what it binds, key fingerprint). ' +
    "When two orgs have a module of that name, your org's is shown; use the id for the other.",
  arguments: [{ name: 'module', description: 'module name or id', required: true }],
  options: {},
  examples: [
    {
      command: 'hla-compass modules show peptide-scorer --env dev',
      description: 'versions of a module',
    },
  ],
  async run({ args }, context) {
    const platform = await context.platform();
    const me = await platform.me();
    const summary = await findModule(platform, args.module, me.org?.id);
    // The hosted platform's module answer may say less than its listing did.
    const detail = { ...summary, ...(await platform.getModule(summary.id)) };
    context.output.result({ environment: platform.environment.name, ...detail }, (result) => [
      `${result.moduleName} (${result.orgName ?? 'unknown org'}, ${result.environment})`,
      `current      ${describeVersion(result.currentVersion)}`,
      ...(result.imageRef ? [`image        ${result.imageRef}`] : []),
      '',
      ...formatTable(
        ['VERSION', 'STATE', 'SCOPE', 'PUBLISHED', 'IMAGE'],
        (result.versions ?? []).map((version) => [
          version.version ?? '-',
          version.state ?? '-',
          version.scope ?? '-',
          version.publishedAt ?? '-',
          version.imageRef ?? '-',
        ]),
        context.output.style,
      ),
      ...signatureLines(result.versions ?? []),
    ]);
    return undefined;
  },
});

/**
 * One line per version whose answer says what it is signed with (the hosted platform may not):
 * a legacy SDK signature covers the manifest only, so it must not read like an Ed25519 one.
 */
function signatureLines(
  versions: readonly { version?: string; signature?: VersionSignature | null }[],
): string[] {
  const reported = versions.filter((version) => version.signature !== undefined);
  if (reported.length === 0) return [];
  const width = Math.max(...reported.map((version) => (version.version ?? '-').length));
  return [
    '',
    'signatures',
    ...reported.map(
      (version) =>
        `  ${(version.version ?? '-').padEnd(width)}  ${describeSignature(version.signature ?? null)}`,
    ),
  ];
}

function describeSignature(signature: VersionSignature | null): string {
  if (signature === null) return 'unsigned';
  const algorithm =
    signature.kind === 'rsa-pss-manifest' ? 'RSA-PSS (legacy SDK)' : signature.algorithm;
  const { binds } = signature;
  const covered =
    binds.length === 1
      ? `the ${binds[0]} only`
      : `${binds.slice(0, -1).join(', ')} and ${binds.at(-1)}`;
  return `${algorithm}, binds ${covered}, key ${signature.keyFingerprint}`;
}

async function findModule(
  platform: PlatformClient,
  nameOrId: string,
  ownOrgId: string | undefined,
): Promise<ModuleSummaryView> {
  const matches: ModuleSummaryView[] = [];
  for (let offset = 0; ; ) {
    const page = await platform.listModules({ limit: 500, offset });
    matches.push(
      ...page.items.filter((module) => module.id === nameOrId || module.moduleName === nameOrId),
    );
    offset += page.items.length;
    // A listing without a total does not page: asking for the next offset could return it again.
    if (page.items.length === 0 || page.total === undefined || offset >= page.total) break;
  }
  const found =
    matches.find((module) => module.id === nameOrId) ??
    matches.find((module) => ownOrgId !== undefined && module.orgId === ownOrgId) ??
    matches[0];
  if (found === undefined) {
    throw new RejectedError(`no module "${nameOrId}" visible in ${platform.environment.name}`, {
      code: 'NOT_FOUND',
      hint: `\`hla-compass modules list --env ${platform.environment.name}\` shows what you can see`,
    });
  }
  return found;
}
