// What the console shows when the platform refuses: the status, the platform's message (already
// redacted where the error was made) and its code.
import type { PlatformError } from '@hla-compass/platform-api';
import { html } from 'hono/html';

export const problemView = (error: PlatformError, back: string) =>
  html`<p class="error" role="alert">${error.message}</p>
<p class="muted">HTTP ${error.status} · <code>${error.code}</code></p>
<p><a href="${back}">Back</a></p>`;
