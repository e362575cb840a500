// The signed-in user's signing keys: each one's fingerprint and state, and revoking one.
import type { Environment, SigningKey } from '@hla-compass/platform-api';
import { html } from 'hono/html';
import { consolePath, csrfField, timeText } from '../layout.js';

export function keysView(environment: Environment, csrfToken: string, keys: SigningKey[]) {
  if (keys.length === 0) {
    return html`<p>No key is registered to you in ${environment}. Register one with <code>hla-compass keys register --env ${environment}</code>.</p>`;
  }
  return html`<p>A revoked key stays revoked: its signatures are refused and it can never be registered again.</p>
<table>
<caption>Your keys</caption>
<thead><tr><th scope="col">Fingerprint</th><th scope="col">Name</th><th scope="col">Algorithm</th><th scope="col">Registered</th><th scope="col">Revoked</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${keys.map(
    (key) => html`<tr>
<td><code>${key.fingerprint}</code></td>
<td>${key.name ?? html`<span class="muted">—</span>`}</td>
<td>${key.algorithm}</td>
<td>${timeText(key.createdAt)}</td>
<td>${timeText(key.revokedAt)}</td>
<td>${
      key.revokedAt === null
        ? html`<form method="post" class="inline" action="${consolePath(environment, `/keys/${encodeURIComponent(key.fingerprint)}/revoke`)}">${csrfField(csrfToken)}<button type="submit" class="danger" aria-label="Revoke ${key.fingerprint}">Revoke</button></form>`
        : ''
    }</td>
</tr>`,
  )}</tbody>
</table>`;
}
