// The console's page shell: one stylesheet allowed by its hash, no script at all, the navigation
// a caller's roles open, and the headers every console answer carries.
import { createHash } from 'node:crypto';
import type { Environment } from '@hla-compass/platform-api';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { type Caller, canAdministerOrg } from '../services/authentication.js';

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

// Colours keep at least 4.5:1 on their backgrounds (WCAG AA); focus is always visible.
const STYLE = `*{box-sizing:border-box}
body{font:16px/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;margin:0}
a{color:#0b4fbf}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #0b4fbf;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.3rem}
header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.6rem 1.2rem;background:#12263f;color:#fff}
header a{color:#fff}header nav ul{display:flex;flex-wrap:wrap;gap:1rem;list-style:none;margin:0;padding:0}
header [aria-current=page]{font-weight:700;text-decoration-thickness:3px}
header .account{margin-left:auto;display:flex;gap:.8rem;align-items:center}.who{color:#dbe4f0}
main{max-width:72rem;margin:0 auto;padding:1rem 1.2rem 3rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #c9ced6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5}code,pre{font-family:ui-monospace,monospace;font-size:.85rem}td code{overflow-wrap:anywhere}
pre{background:#f4f6f8;border:1px solid #c9ced6;padding:.8rem;overflow:auto}
label{display:block;margin:.7rem 0 .2rem;font-weight:600}
input,select,textarea{font:inherit;padding:.35rem;border:1px solid #6b7480;border-radius:3px;max-width:100%}
button{font:inherit;padding:.35rem .9rem;border:1px solid #12263f;border-radius:3px;background:#12263f;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#12263f}button.danger{background:#a3001b;border-color:#a3001b}
.notice{border-left:4px solid #1d6b2f;background:#edf7ef;padding:.5rem .8rem}
.error{border-left:4px solid #a3001b;background:#fdeeee;padding:.5rem .8rem}
.state-APPROVED{color:#1d6b2f}.state-REJECTED{color:#a3001b}.state-SUBMITTED{color:#7a4b00}
.muted{color:#4f5864}.inline{display:inline}form.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
form.row label{margin:0}fieldset{border:1px solid #c9ced6;margin:1rem 0;padding:.5rem 1rem 1rem}`;

/**
 * No `script-src`: the console runs no script, so injected markup cannot either. The one style
 * element is allowed by its hash, not `unsafe-inline`; forms may only post back here.
 */
export const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Not no-referrer: with it, browsers post forms with `Origin: null`, which the emulator refuses.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export type Section = 'catalog' | 'publishes' | 'keys' | 'registries' | 'approvals';

export interface Shell {
  environment: Environment;
  title: string;
  /** The signed-in caller, with the CSRF token of their session's forms. */
  session?: { caller: Caller; csrfToken: string };
  section?: Section;
}

export const consolePath = (environment: Environment, path = ''): string =>
  `/${environment}/console${path}`;

/** The hidden field every console form carries. */
export const csrfField = (token: string) =>
  html`<input type="hidden" name="csrf_token" value="${token}">`;

function navigation(shell: Shell, session: NonNullable<Shell['session']>) {
  const { caller } = session;
  const sections: [Section, string][] = [
    ['catalog', 'Catalog'],
    ['publishes', 'Publish jobs'],
    ['keys', 'Signing keys'],
  ];
  // The links follow the same rules the pages apply; a page reached without them answers 403.
  if (canAdministerOrg(caller, caller.org.id)) sections.push(['registries', 'Registries']);
  if (caller.user.superuser) sections.push(['approvals', 'Approvals']);
  const link = ([section, label]: [Section, string]) =>
    html`<li><a href="${consolePath(shell.environment, `/${section}`)}"${
      section === shell.section ? raw(' aria-current="page"') : ''
    }>${label}</a></li>`;
  return html`<nav aria-label="Console"><ul>${sections.map(link)}</ul></nav>
<div class="account"><span class="who">${caller.user.email}${caller.user.superuser ? ' · superuser' : ''}</span>
<form method="post" action="${consolePath(shell.environment, '/sign-out')}">${csrfField(session.csrfToken)}<button type="submit" class="secondary">Sign out</button></form></div>`;
}

export function consolePage(shell: Shell, body: Markup) {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${shell.title} · HLA-Compass ${shell.environment}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${raw(STYLE)}</style></head>
<body><a class="skip" href="#main">Skip to content</a>
<header><strong>HLA-Compass · ${shell.environment}</strong>${
    shell.session === undefined ? '' : navigation(shell, shell.session)
  }</header>
<main id="main"><h1>${shell.title}</h1>
${body}</main></body></html>`;
}

export const timeText = (iso: string | null) =>
  iso === null
    ? html`<span class="muted">—</span>`
    : html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>`;
