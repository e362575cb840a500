// Org settings → registries: the allowlist an admin manages. Pull credentials are write-only:
// the page says whether an entry has them and never shows them, not even back in a refused form.
import {
  type Environment,
  REGISTRY_PROVIDERS,
  type RegistryEntry,
} from '@hla-compass/platform-api';
import { html } from 'hono/html';
import { consolePath, csrfField, timeText } from '../layout.js';

export interface RegistryForm {
  pattern: string;
  provider: string;
  username: string;
}

export const EMPTY_REGISTRY_FORM: RegistryForm = { pattern: '', provider: '', username: '' };

function entryRows(
  environment: Environment,
  orgId: string,
  csrfToken: string,
  entries: RegistryEntry[],
) {
  return entries.map(
    (entry) => html`<tr>
<td><code>${entry.pattern}</code></td>
<td>${entry.provider}</td>
<td>${entry.hasCredentials ? 'stored (write-only)' : html`<span class="muted">none</span>`}</td>
<td>${timeText(entry.createdAt)}</td>
<td><form method="post" class="inline" action="${consolePath(environment, `/registries/${entry.id}/delete?org=${encodeURIComponent(orgId)}`)}">${csrfField(csrfToken)}<button type="submit" class="danger" aria-label="Remove ${entry.pattern}">Remove</button></form></td>
</tr>`,
  );
}

function providerOptions(selected: string) {
  return [['', 'infer from the pattern'], ...REGISTRY_PROVIDERS.map((p) => [p, p])].map(
    ([value, label]) =>
      html`<option value="${value}"${selected === value ? html` selected` : ''}>${label}</option>`,
  );
}

export function registriesView(
  environment: Environment,
  org: { id: string; name: string },
  csrfToken: string,
  entries: RegistryEntry[],
  form: RegistryForm,
  error?: string,
) {
  const action = consolePath(environment, `/registries?org=${encodeURIComponent(org.id)}`);
  return html`<p>Repositories that modules of <b>${org.name}</b> (<code>${org.id}</code>) may be published from in ${environment}. A pattern is a repository, or one followed by <code>/*</code> for everything below it.</p>
<table>
<caption>Allowlist</caption>
<thead><tr><th scope="col">Pattern</th><th scope="col">Provider</th><th scope="col">Pull credentials</th><th scope="col">Added</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
<tbody>${entries.length === 0 ? html`<tr><td colspan="5">No entry: no publish is accepted.</td></tr>` : entryRows(environment, org.id, csrfToken, entries)}</tbody>
</table>
<h2 id="add">Add an entry</h2>
${error === undefined ? '' : html`<p class="error" role="alert">${error}</p>`}
<form method="post" action="${action}" aria-labelledby="add">
${csrfField(csrfToken)}
<label for="pattern">Pattern</label><input id="pattern" name="pattern" required size="48" placeholder="ghcr.io/${org.id}/*" value="${form.pattern}">
<label for="provider">Provider</label><select id="provider" name="provider">${providerOptions(form.provider)}</select>
<fieldset><legend>Pull credentials (optional; stored sealed, never shown again)</legend>
<label for="username">Username</label><input id="username" name="username" autocomplete="off" size="32" value="${form.username}">
<label for="password">Password or token</label><input id="password" name="password" type="password" autocomplete="new-password" size="32">
</fieldset>
<button type="submit">Add entry</button>
</form>`;
}
