// Publish jobs the caller may follow, newest first, with each one's failure reason.
import type { Environment, PublishStatus } from '@hla-compass/platform-api';
import { html } from 'hono/html';
import { timeText } from '../layout.js';

export function publishesView(environment: Environment, jobs: PublishStatus[]) {
  if (jobs.length === 0) {
    return html`<p>No publish job for you to follow in ${environment}.</p>`;
  }
  return html`<table>
<caption>Your publishes${' '}<span class="muted">(and your org's, as an admin; all, as a superuser)</span></caption>
<thead><tr><th scope="col">Module</th><th scope="col">Scope</th><th scope="col">State</th><th scope="col">Phase</th><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Failure reason</th><th scope="col">Publish id</th></tr></thead>
<tbody>${jobs.map(
    (job) => html`<tr>
<td>${job.moduleName}@${job.version}</td>
<td>${job.scope}</td>
<td class="state-${job.state}">${job.state} <span class="muted">(${job.status})</span></td>
<td>${job.currentPhase}</td>
<td>${timeText(job.startTime)}</td>
<td>${timeText(job.endTime)}</td>
<td>${job.failureReason ?? html`<span class="muted">—</span>`}</td>
<td><code>${job.publishId}</code></td>
</tr>`,
  )}</tbody>
</table>`;
}
