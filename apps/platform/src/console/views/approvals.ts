// The superusers' approval queue: public publishes waiting for a decision, oldest first, each
// with an approve form (optional comment) and a reject form (a reason is required).
import type { Environment, ReviewPublish } from '@hla-compass/platform-api';
import { html } from 'hono/html';
import { consolePath, csrfField, timeText } from '../layout.js';
import { signatureText } from './catalog.js';

function decisionForms(environment: Environment, csrfToken: string, item: ReviewPublish) {
  const path = (verb: string) =>
    consolePath(environment, `/approvals/${encodeURIComponent(item.publishId)}/${verb}`);
  const id = item.publishId.replace(/[^A-Za-z0-9_-]/g, '');
  return html`<form method="post" class="row" action="${path('approve')}">${csrfField(csrfToken)}
<label for="comment-${id}">Comment <span class="muted">(optional)</span></label><input id="comment-${id}" name="comment" maxlength="2000" size="24">
<button type="submit" aria-label="Approve ${item.moduleName}@${item.version}">Approve</button></form>
<form method="post" class="row" action="${path('reject')}">${csrfField(csrfToken)}
<label for="reason-${id}">Reason</label><input id="reason-${id}" name="reason" required maxlength="2000" size="24">
<button type="submit" class="danger" aria-label="Reject ${item.moduleName}@${item.version}">Reject</button></form>`;
}

export function approvalsView(
  environment: Environment,
  csrfToken: string,
  queue: { items: ReviewPublish[]; total: number },
) {
  if (queue.items.length === 0) {
    return html`<p>Nothing waits for approval in ${environment}.</p>`;
  }
  return html`<p>${queue.total} public publish${queue.total === 1 ? '' : 'es'} waiting, oldest first. Another superuser must decide your own submissions.</p>
<table>
<caption>Approval queue</caption>
<thead><tr><th scope="col">Module</th><th scope="col">Org</th><th scope="col">Submitter</th><th scope="col">Digest</th><th scope="col">Signature · key fingerprint</th><th scope="col">Submitted</th><th scope="col">Decision</th></tr></thead>
<tbody>${queue.items.map(
    (item) => html`<tr>
<td>${item.moduleName}@${item.version}</td>
<td>${item.orgName} <span class="muted">(${item.orgId})</span></td>
<td>${item.submittedBy.name}<br><span class="muted">${item.submittedBy.email}</span></td>
<td><code>${item.image.digest}</code></td>
<td>${signatureText(item.signature)}</td>
<td>${timeText(item.startTime)}</td>
<td>${decisionForms(environment, csrfToken, item)}</td>
</tr>`,
  )}</tbody>
</table>`;
}
