// Which org's allowlist a `registries` command manages: --org for a superuser, else the caller's
// own org as GET /v1/auth/me states it.
import { option } from '../../command.js';
import { RejectedError } from '../../errors.js';
import type { PlatformClient } from '../../platform/client.js';

export const orgOption = option.string(
  '--org <id>',
  "another org than your own (platform superusers manage every org's allowlist)",
);

export interface AllowlistOrg {
  readonly id: string;
  /** The org's name when it is the caller's own (the platform says it there), else its id. */
  readonly name: string;
}

export async function allowlistOrg(
  platform: PlatformClient,
  requested: string | undefined,
): Promise<AllowlistOrg> {
  if (requested !== undefined) return { id: requested, name: requested };
  const me = await platform.me();
  if (me.org?.id === undefined) {
    throw new RejectedError(
      "the platform's answer to GET /v1/auth/me has no org.id, so the org whose allowlist to manage is unknown",
      { code: 'UNEXPECTED_RESPONSE', hint: 'name the org with --org ID' },
    );
  }
  return { id: me.org.id, name: me.org.name ?? me.org.id };
}
