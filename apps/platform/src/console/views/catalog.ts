// The catalog as the caller may see it: each module with its visible versions (digest, scope,
// state, signature kind and key fingerprint) and a link to each version's manifest.
import type { Environment, ModuleDetail, ModuleVersion } from '@hla-compass/platform-api';
import type { JsonObject } from '@hla-compass/signing';
import { html } from 'hono/html';
import { consolePath, timeText } from '../layout.js';

const manifestPath = (environment: Environment, version: ModuleVersion) =>
  consolePath(environment, `/modules/${version.moduleId}/versions/${version.id}`);

export const signatureText = (signature: ModuleVersion['signature']) =>
  signature === null
    ? html`<span class="muted">unsigned</span>`
    : html`${signature.kind}<br><code>${signature.keyFingerprint}</code>`;

function versionRows(environment: Environment, versions: ModuleVersion[]) {
  return versions.map(
    (version) => html`<tr>
<td><a href="${manifestPath(environment, version)}">${version.version}</a></td>
<td><code>${version.digest}</code></td>
<td>${version.scope}</td>
<td class="state-${version.state}">${version.state}</td>
<td>${signatureText(version.signature)}</td>
<td>${timeText(version.publishedAt)}</td>
</tr>`,
  );
}

export function catalogView(
  environment: Environment,
  modules: ModuleDetail[],
  page: { total: number; offset: number; limit: number },
  superuser: boolean,
) {
  if (modules.length === 0) {
    return html`<p>No module is visible to you in ${environment} yet. Publish one with <code>hla-compass publish --env ${environment}</code>.</p>`;
  }
  const next = page.offset + page.limit < page.total ? page.offset + page.limit : undefined;
  const reach = superuser
    ? 'every org’s versions in every state (you review them as a superuser)'
    : 'your org’s versions in every state, other orgs’ approved public ones';
  return html`<p class="muted">${page.total} module${page.total === 1 ? '' : 's'} visible to you: ${reach}.</p>
${modules.map(
  (module) => html`<table>
<caption>${module.moduleName} <span class="muted">· ${module.orgName} · current ${module.currentVersion ?? 'none'}</span></caption>
<thead><tr><th scope="col">Version (manifest)</th><th scope="col">Digest</th><th scope="col">Scope</th><th scope="col">State</th><th scope="col">Signature · key fingerprint</th><th scope="col">Published</th></tr></thead>
<tbody>${versionRows(environment, module.versions)}</tbody>
</table>`,
)}
${next === undefined ? '' : html`<p><a href="${consolePath(environment, `/catalog?offset=${next}`)}">Next modules</a></p>`}`;
}

export function manifestView(
  environment: Environment,
  version: ModuleVersion,
  manifest: JsonObject,
) {
  return html`<dl>
<dt>Image</dt><dd><code>${version.imageRef}</code></dd>
<dt>Scope · state</dt><dd>${version.scope} · <span class="state-${version.state}">${version.state}</span></dd>
<dt>Signature</dt><dd>${signatureText(version.signature)}</dd>
</dl>
<h2>Manifest</h2>
<pre tabindex="0" aria-label="Manifest JSON">${JSON.stringify(manifest, null, 2)}</pre>
<p><a href="${consolePath(environment, '/catalog')}">Back to the catalog</a></p>`;
}
