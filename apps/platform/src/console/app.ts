// The web console of one environment (`/<env>/console`): server-rendered pages over the same
// services as the API. A page or form that does an API route's work holds the caller to that
// route's role; the services decide the rest of what a caller may see and do. This file only
// adapts HTTP forms to them and renders what they answer or refuse.
import {
  approveRequestSchema,
  createRegistryEntryRequestSchema,
  PlatformError,
  type RouteDefinition,
  rejectRequestSchema,
  routes,
} from '@hla-compass/platform-api';
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import type * as z from 'zod';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { peerAddress } from '../http/peer.js';
import {
  createRegistryEntry,
  deleteRegistryEntry,
  listRegistryEntries,
} from '../services/allowlist.js';
import { decidePublish, listPendingPublishes } from '../services/approval.js';
import { authorize } from '../services/authentication.js';
import { getModule, listModules } from '../services/catalog.js';
import { getVersionManifest } from '../services/manifests.js';
import { listPublishJobs } from '../services/publish-jobs.js';
import { checkPassword } from '../services/sessions.js';
import { listKeys, revokeKey } from '../services/signing-keys.js';
import { FormToken } from './form-token.js';
import { CONSOLE_HEADERS, consolePage, consolePath, type Section } from './layout.js';
import {
  type ConsoleSession,
  closeConsoleSession,
  consoleSession,
  openConsoleSession,
} from './session.js';
import { approvalsView } from './views/approvals.js';
import { catalogView, manifestView } from './views/catalog.js';
import { keysView } from './views/keys.js';
import { type Notice, noticeView } from './views/notice.js';
import { problemView } from './views/problem.js';
import { publishesView } from './views/publishes.js';
import { EMPTY_REGISTRY_FORM, type RegistryForm, registriesView } from './views/registries.js';
import { signInView } from './views/sign-in.js';

/** A served form stays usable this long; the session it belongs to usually ends first. */
const FORM_LIFETIME_MS = 12 * 60 * 60 * 1000;
const CATALOG_PAGE = 50;

type Form = Record<string, string | File | (string | File)[]>;

/** A form field as text; a file or a repeated field counts as absent. */
const field = (form: Form, name: string): string => {
  const value = form[name];
  return typeof value === 'string' ? value : '';
};

/** A path parameter of the matched route (the handlers are shared, so Hono cannot type it). */
const param = (c: Context<AppEnv>, name: string): string => c.req.param(name) ?? '';

const zodMessage = (error: z.ZodError) =>
  error.issues.map((issue) => `${issue.path.join('.') || 'form'}: ${issue.message}`).join('; ');

export function createConsoleApp(context: EnvContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const env = context.name;
  const formToken = new FormToken(env, FORM_LIFETIME_MS);
  const SIGN_IN = ['sign-in'];
  const sessionFields = (session: ConsoleSession) => ['session', session.id];
  const csrfFor = (session: ConsoleSession) =>
    formToken.issue(sessionFields(session), context.now());

  const render = (
    c: Context<AppEnv>,
    view: {
      title: string;
      body: Parameters<typeof consolePage>[1];
      session?: ConsoleSession | undefined;
      section?: Section;
      status?: 200 | 400 | 401 | 403 | 404 | 409 | 429 | 500;
    },
  ) =>
    c.html(
      consolePage(
        {
          environment: env,
          title: view.title,
          ...(view.session === undefined
            ? {}
            : { session: { caller: view.session.caller, csrfToken: csrfFor(view.session) } }),
          ...(view.section === undefined ? {} : { section: view.section }),
        },
        view.body,
      ),
      view.status ?? 200,
      CONSOLE_HEADERS,
    );

  const refused = (c: Context<AppEnv>, error: PlatformError, session?: ConsoleSession) =>
    render(c, {
      title: error.status === 403 ? 'Forbidden' : error.status === 404 ? 'Not found' : 'Refused',
      body: problemView(error, consolePath(env, '/catalog')),
      session,
      status: error.status as 400 | 401 | 403 | 404 | 409 | 429 | 500,
    });

  const redirect = (c: Context<AppEnv>, path: string) => {
    for (const [name, value] of Object.entries(CONSOLE_HEADERS)) c.header(name, value);
    return c.redirect(consolePath(env, path), 303);
  };

  /**
   * A form post must come from a page of ours: a browser names the page's origin (a foreign one
   * never gets here, see same-origin.ts), and the form carries the CSRF token it was served with.
   */
  const formProblem = (c: Context<AppEnv>, form: Form, fields: string[]) =>
    c.req.header('origin') === undefined ||
    !formToken.isValid(form.csrf_token, fields, context.now())
      ? new PlatformError(
          'FORBIDDEN',
          'Forbidden: this form was not served by this console, or it has expired (CSRF token or Origin missing or wrong); reload the page and try again',
        )
      : undefined;

  type Handler = (c: Context<AppEnv>, session: ConsoleSession) => Response | Promise<Response>;

  /** The org a page is about: `?org=`, else the caller's own. */
  const orgOf = (c: Context<AppEnv>, session: ConsoleSession) =>
    (c.req.query('org') ?? session.caller.org.id).slice(0, 128);

  /**
   * The API route a page or form does the work of: the caller is held to its role (orgAdmin: of
   * the page's org) before anything is read, as implement() holds the route's callers.
   */
  type Mirrored = Pick<RouteDefinition, 'auth' | 'task'>;
  const authorizeAs = (c: Context<AppEnv>, session: ConsoleSession, mirrored?: Mirrored) => {
    if (mirrored !== undefined) authorize(context, session.caller, mirrored, orgOf(c, session));
  };

  /** A page for signed-in callers; a refusal of the services is shown as its status page. */
  const page = (handler: Handler, mirrored?: Mirrored) => async (c: Context<AppEnv>) => {
    const session = consoleSession(c, context);
    if (session === undefined) return redirect(c, '/sign-in');
    try {
      authorizeAs(c, session, mirrored);
      return await handler(c, session);
    } catch (error) {
      if (error instanceof PlatformError) return refused(c, error, session);
      throw error;
    }
  };

  /** A form post of a signed-in caller: checked for its origin and CSRF token first. */
  const action = (
    handler: (
      c: Context<AppEnv>,
      session: ConsoleSession,
      form: Form,
    ) => Response | Promise<Response>,
    mirrored?: Mirrored,
  ) =>
    page(async (c, session) => {
      const form = await c.req.parseBody();
      const problem = formProblem(c, form, sessionFields(session));
      if (problem !== undefined) return refused(c, problem, session);
      authorizeAs(c, session, mirrored);
      return handler(c, session, form);
    });

  app.get('/', (c) =>
    redirect(c, consoleSession(c, context) === undefined ? '/sign-in' : '/catalog'),
  );

  const signInPage = (
    c: Context<AppEnv>,
    status: 200 | 401 | 429 = 200,
    problem: { error?: string; email?: string } = {},
  ) =>
    render(c, {
      title: 'Sign in',
      body: signInView(env, formToken.issue(SIGN_IN, context.now()), problem),
      status,
    });

  app.get('/sign-in', (c) =>
    consoleSession(c, context) === undefined ? signInPage(c) : redirect(c, '/catalog'),
  );

  app.post('/sign-in', async (c) => {
    const form = await c.req.parseBody();
    // Before the password is looked at: a forged post learns nothing, nor counts as a failure.
    const problem = formProblem(c, form, SIGN_IN);
    if (problem !== undefined) return refused(c, problem);
    const email = field(form, 'email').trim().slice(0, 320);
    const password = field(form, 'password');
    if (email === '' || password === '' || password.length > 1024) {
      return signInPage(c, 401, { error: 'Enter your email and password.', email });
    }
    try {
      const user = await checkPassword(context, peerAddress(c), email, password);
      openConsoleSession(c, context, user.id);
      return redirect(c, '/catalog');
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      if (error.code === 'RATE_LIMITED') {
        c.header('Retry-After', String(error.retryAfter ?? 60));
        return signInPage(c, 429, { error: error.message, email });
      }
      return signInPage(c, 401, { error: 'Wrong email or password.', email });
    }
  });

  app.post('/sign-out', async (c) => {
    const session = consoleSession(c, context);
    if (session !== undefined) {
      const problem = formProblem(c, await c.req.parseBody(), sessionFields(session));
      if (problem !== undefined) return refused(c, problem, session);
    }
    closeConsoleSession(c, context);
    return redirect(c, '/sign-in');
  });

  app.get(
    '/catalog',
    page((c, session) => {
      const offset = Math.max(
        0,
        Math.min(Number.parseInt(c.req.query('offset') ?? '0', 10) || 0, 1e9),
      );
      const list = listModules(context, session.caller, { limit: CATALOG_PAGE, offset });
      const modules = list.items.map((module) => getModule(context, session.caller, module.id));
      return render(c, {
        title: 'Catalog',
        body: catalogView(env, modules, list, session.caller.user.superuser),
        session,
        section: 'catalog',
      });
    }),
  );

  app.get(
    '/modules/:moduleId/versions/:versionId',
    page((c, session) => {
      const { version, manifest } = getVersionManifest(
        context,
        session.caller,
        param(c, 'moduleId'),
        param(c, 'versionId'),
      );
      return render(c, {
        title: `${version.moduleName}@${version.version}`,
        body: manifestView(env, version, manifest),
        session,
        section: 'catalog',
      });
    }),
  );

  app.get(
    '/publishes',
    page((c, session) =>
      render(c, {
        title: 'Publish jobs',
        body: publishesView(env, listPublishJobs(context, session.caller)),
        session,
        section: 'publishes',
      }),
    ),
  );

  app.get(
    '/keys',
    page((c, session) =>
      render(c, {
        title: 'Signing keys',
        body: html`${noticeView(c.req.query('done'))}${keysView(env, csrfFor(session), listKeys(context, session.caller))}`,
        session,
        section: 'keys',
      }),
    ),
  );

  app.post(
    '/keys/:fingerprint/revoke',
    action((c, session) => {
      revokeKey(context, session.caller, param(c, 'fingerprint'));
      return redirect(c, '/keys?done=revoked');
    }),
  );

  const registriesPage = (
    c: Context<AppEnv>,
    session: ConsoleSession,
    form: RegistryForm = EMPTY_REGISTRY_FORM,
    error?: PlatformError,
  ) => {
    const orgId = orgOf(c, session);
    const entries = listRegistryEntries(context, orgId);
    const org = { id: orgId, name: context.store.orgs.get(orgId)?.name ?? orgId };
    return render(c, {
      title: 'Org settings · Registries',
      body: html`${noticeView(c.req.query('done'))}${registriesView(env, org, csrfFor(session), entries, form, error?.message)}`,
      session,
      section: 'registries',
      status: error === undefined ? 200 : 400,
    });
  };
  const registriesDone = (c: Context<AppEnv>, session: ConsoleSession, done: Notice) =>
    redirect(c, `/registries?org=${encodeURIComponent(orgOf(c, session))}&done=${done}`);

  app.get(
    '/registries',
    page((c, session) => registriesPage(c, session), routes.listRegistries),
  );

  app.post(
    '/registries',
    action((c, session, form) => {
      const shown: RegistryForm = {
        pattern: field(form, 'pattern').trim(),
        provider: field(form, 'provider'),
        username: field(form, 'username'),
      };
      const password = field(form, 'password');
      const parsed = createRegistryEntryRequestSchema.safeParse({
        pattern: shown.pattern,
        ...(shown.provider === '' ? {} : { provider: shown.provider }),
        ...(shown.username === '' && password === ''
          ? {}
          : { credentials: { username: shown.username, password } }),
      });
      try {
        if (!parsed.success) {
          throw new PlatformError('INVALID_REQUEST', `Invalid entry: ${zodMessage(parsed.error)}`);
        }
        createRegistryEntry(context, orgOf(c, session), parsed.data);
      } catch (error) {
        // A mistake in the form is shown beside it (without the password); a refusal is not.
        if (error instanceof PlatformError && error.code === 'INVALID_REQUEST') {
          return registriesPage(c, session, shown, error);
        }
        throw error;
      }
      return registriesDone(c, session, 'added');
    }, routes.createRegistry),
  );

  app.post(
    '/registries/:entryId/delete',
    action((c, session) => {
      deleteRegistryEntry(context, orgOf(c, session), param(c, 'entryId'));
      return registriesDone(c, session, 'removed');
    }, routes.deleteRegistry),
  );

  app.get(
    '/approvals',
    page(
      (c, session) =>
        render(c, {
          title: 'Approvals',
          body: html`${noticeView(c.req.query('done'))}${approvalsView(env, csrfFor(session), listPendingPublishes(context))}`,
          session,
          section: 'approvals',
        }),
      routes.listReviewPublishes,
    ),
  );

  app.post(
    '/approvals/:publishId/approve',
    action((c, session, form) => {
      const comment = field(form, 'comment').trim();
      const parsed = approveRequestSchema.safeParse(comment === '' ? {} : { comment });
      if (!parsed.success) {
        throw new PlatformError('INVALID_REQUEST', `Invalid approval: ${zodMessage(parsed.error)}`);
      }
      decidePublish(context, session.caller, param(c, 'publishId'), {
        state: 'APPROVED',
        reason: parsed.data.comment ?? null,
      });
      return redirect(c, '/approvals?done=approved');
    }, routes.approvePublish),
  );

  app.post(
    '/approvals/:publishId/reject',
    action((c, session, form) => {
      const parsed = rejectRequestSchema.safeParse({ reason: field(form, 'reason') });
      if (!parsed.success) {
        throw new PlatformError(
          'INVALID_REQUEST',
          'A rejection needs a reason (1 to 2000 characters)',
        );
      }
      decidePublish(context, session.caller, param(c, 'publishId'), {
        state: 'REJECTED',
        reason: parsed.data.reason,
      });
      return redirect(c, '/approvals?done=rejected');
    }, routes.rejectPublish),
  );

  return app;
}
