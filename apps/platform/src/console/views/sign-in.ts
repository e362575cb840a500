// The console's sign-in form: the same accounts and password check as `POST /v1/auth/login`.

import type { Environment } from '@hla-compass/platform-api';
import { html } from 'hono/html';
import { consolePath, csrfField } from '../layout.js';

export function signInView(
  environment: Environment,
  csrfToken: string,
  problem: { error?: string | undefined; email?: string | undefined } = {},
) {
  return html`<p>Sign in with your platform account to browse the catalog, follow your publishes and, with the roles for it, manage registries and approvals.</p>
${problem.error === undefined ? '' : html`<p class="error" role="alert">${problem.error}</p>`}
<form method="post" action="${consolePath(environment, '/sign-in')}">
${csrfField(csrfToken)}
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required size="40" value="${problem.email ?? ''}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required size="40">
<p><button type="submit">Sign in</button></p>
</form>
<p class="muted">The emulator's seeded accounts and their dev-only passwords are printed in its start-up banner.</p>`;
}
