// The line a page shows after a form it served succeeded (post/redirect/get): a fixed text per
// outcome, so nothing from the URL is ever echoed.
import { html } from 'hono/html';

const NOTICES = {
  added: 'Allowlist entry added.',
  removed: 'Allowlist entry removed.',
  approved: 'Publish approved.',
  rejected: 'Publish rejected.',
  revoked: 'Key revoked.',
} as const;
export type Notice = keyof typeof NOTICES;

export const noticeView = (done: string | undefined) =>
  done !== undefined && Object.hasOwn(NOTICES, done)
    ? html`<p class="notice" role="status">${NOTICES[done as Notice]}</p>`
    : '';
