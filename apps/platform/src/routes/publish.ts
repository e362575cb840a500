// /v1/modules/publish*: the publish config, intake, job status, and the approval decisions.
import { routes } from '@hla-compass/platform-api';
import type { JsonObject } from '@hla-compass/signing';
import type { Hono } from 'hono';
import type { EnvContext } from '../env-context.js';
import type { AppEnv } from '../http/app-env.js';
import { implement } from '../http/implement.js';
import { allowlistPatterns } from '../services/allowlist.js';
import { decidePublish } from '../services/approval.js';
import { getPublishStatus } from '../services/catalog.js';
import { readPolicy } from '../services/policy.js';
import { publish, replayPublish } from '../services/publish.js';
import { hashSecret } from '../services/secrets.js';

export function registerPublishRoutes(app: Hono<AppEnv>, context: EnvContext): void {
  implement(
    app,
    context,
    routes.publishConfig,
  )(({ caller }) => {
    const policy = readPolicy(context);
    return {
      status: 200,
      body: {
        environment: context.name,
        registry: caller.org.registry,
        allowlist: allowlistPatterns(context, caller.org.id),
        requireSignature: policy.requireSignature,
        publicScopeRequiresApproval: policy.publicScopeRequiresApproval,
      },
    };
  });

  implement(
    app,
    context,
    routes.publish,
  )(async ({ caller, headers, text, body }, c) => {
    const key = headers['idempotency-key'];
    const idempotency =
      key === undefined ? undefined : { key, requestHash: hashSecret(await text()) };
    const replay = idempotency && replayPublish(context, caller, idempotency);
    if (replay !== undefined) {
      return {
        response: c.newResponse(replay.body, replay.status as 202, {
          'Content-Type': 'application/json',
          'Idempotent-Replayed': 'true',
        }),
      };
    }
    const { json, value } = await body();
    return publish(
      context,
      caller,
      {
        imageRef: value.imageRef,
        // The manifest as parsed from the body, not a schema's copy: it is what was signed.
        manifest: (json as { manifest: JsonObject }).manifest,
        scope: value.scope,
        bodyText: await text(),
      },
      idempotency,
    );
  });

  implement(
    app,
    context,
    routes.publishStatus,
  )(({ caller, params }) => ({
    status: 200,
    body: getPublishStatus(context, caller, params.publishId),
  }));

  implement(
    app,
    context,
    routes.approvePublish,
  )(async ({ caller, params, body }) => {
    const { value } = await body();
    return {
      status: 200,
      body: decidePublish(context, caller, params.publishId, {
        state: 'APPROVED',
        reason: value.comment ?? null,
      }),
    };
  });

  implement(
    app,
    context,
    routes.rejectPublish,
  )(async ({ caller, params, body }) => {
    const { value } = await body();
    return {
      status: 200,
      body: decidePublish(context, caller, params.publishId, {
        state: 'REJECTED',
        reason: value.reason,
      }),
    };
  });
}
