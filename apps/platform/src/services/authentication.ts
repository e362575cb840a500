// Who is calling: a Bearer access token or an X-API-Key, looked up by hash, and the roles
// that the rules of each route check.
import { PlatformError, type Role, type RouteDefinition } from '@hla-compass/platform-api';
import type { EnvContext } from '../env-context.js';
import type { CredentialHolder } from '../store/credentials.js';
import type { OrgRecord } from '../store/orgs.js';
import type { UserRecord } from '../store/users.js';
import { hashSecret } from './secrets.js';

export interface Caller {
  user: UserRecord;
  org: OrgRecord;
}

export interface CredentialHeaders {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

const LOGIN_HINT = 'sign in with `hla-compass auth login`';

/** The token of an `Authorization: Bearer <token>` header; undefined for any other form. */
export function bearerToken(authorization: string): string | undefined {
  return /^Bearer[ ]+(\S+)\s*$/i.exec(authorization)?.[1];
}

export function authenticate(context: EnvContext, headers: CredentialHeaders): Caller {
  const { credentials } = context.store;
  let holder: CredentialHolder | undefined;
  if (headers.authorization !== undefined) {
    const token = bearerToken(headers.authorization);
    if (token === undefined) {
      throw new PlatformError(
        'UNAUTHENTICATED',
        `Authorization header must be "Bearer <token>"; ${LOGIN_HINT}`,
      );
    }
    holder = credentials.holderOfAccessToken(hashSecret(token), context.now());
    if (holder === undefined) {
      throw new PlatformError(
        'UNAUTHENTICATED',
        `Access token is invalid or expired; ${LOGIN_HINT}`,
      );
    }
  } else if (headers.apiKey !== undefined) {
    holder = credentials.holderOfApiKey(hashSecret(headers.apiKey.trim()));
    if (holder === undefined) throw new PlatformError('UNAUTHENTICATED', 'API key is invalid');
  } else {
    throw new PlatformError(
      'UNAUTHENTICATED',
      `Missing credentials: send "Authorization: Bearer <token>" or "X-API-Key"; ${LOGIN_HINT}`,
    );
  }
  const { user, org } = holder;
  if (user === undefined || org === undefined) {
    throw new PlatformError('UNAUTHENTICATED', `Account no longer exists; ${LOGIN_HINT}`);
  }
  return { user, org };
}

// Roles are cumulative: an admin may do what a developer may, a developer what a viewer may.
const ROLE_RANK: Record<Role, number> = { viewer: 1, developer: 2, admin: 3 };

export function hasRole(caller: Caller, role: Role): boolean {
  return caller.user.roles.some((held) => ROLE_RANK[held] >= ROLE_RANK[role]);
}

/** Org admins manage their own org; superusers manage every org. */
export function canAdministerOrg(caller: Caller, orgId: string): boolean {
  return caller.user.superuser || (caller.org.id === orgId && hasRole(caller, 'admin'));
}

/**
 * Refuses a caller below the role `route.auth` declares (`orgAdmin`: of `orgId`, the org in the
 * path). The one place a role is checked: implement() applies it to every API route, the
 * console to each page and form with the route it does the work of.
 */
export function authorize(
  context: Pick<EnvContext, 'name'>,
  caller: Caller,
  route: Pick<RouteDefinition, 'auth' | 'task'>,
  orgId?: string,
): void {
  switch (route.auth) {
    case 'none':
    case 'user':
      return;
    case 'developer':
      if (hasRole(caller, 'developer')) return;
      // Publish is the one developer route; its refusal names the caller's roles and whom to ask.
      throw new PlatformError(
        'DEVELOPER_ROLE_REQUIRED',
        `Module publish requires developer access: ${caller.user.email} is ${
          caller.user.roles.join(', ') || 'without a role'
        } in ${caller.org.id} (${context.name}); ask an org admin for the developer role`,
      );
    case 'orgAdmin':
      if (orgId !== undefined && canAdministerOrg(caller, orgId)) return;
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: only admins of ${orgId} (or a platform superuser) ${route.task}`,
      );
    case 'superuser':
      if (caller.user.superuser) return;
      throw new PlatformError(
        'FORBIDDEN',
        `Forbidden: only a platform superuser can ${route.task}; org admins cannot`,
      );
  }
}
