// The admin and superuser tasks as commands (issue 15): `registries` for an org's allowlist and
// `approvals` for the review queue, each with its refusals and exit codes. The built CLI against
// a started emulator and real docker-registry processes; each role signs in with its API key.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedOutput, createSandbox, type Sandbox } from './cli-process.js';
import { type PublishingWorld, REGISTRY_USER, startPublishingWorld } from './publishing-world.js';
import { pointAtEmulator } from './sandbox-config.js';

type Role = keyof PublishingWorld['users'];

let world: PublishingWorld;
let sandbox: Sandbox;
let dockerConfig: string;
let moduleCount = 0;

beforeAll(async () => {
  world = await startPublishingWorld();
  sandbox = await createSandbox();
  await pointAtEmulator(sandbox, world);
  // The developer's own credentials for the guarded registry, which publish resolves with.
  dockerConfig = join(sandbox.dir, 'docker');
  await mkdir(dockerConfig);
  const auth = Buffer.from(`${REGISTRY_USER.username}:${REGISTRY_USER.password}`).toString(
    'base64',
  );
  await writeFile(
    join(dockerConfig, 'config.json'),
    JSON.stringify({ auths: { [world.guarded.host]: { auth } } }),
  );
});
afterAll(async () => {
  await sandbox?.cleanup();
  if (world === undefined) return;
  await world.stop();
  for (const output of capturedOutput) {
    for (const secret of world.secrets()) expect(output).not.toContain(secret);
  }
});

const as = (role: Role, args: string[], options: { stdin?: string; cwd?: string } = {}) =>
  sandbox.run(args, {
    ...options,
    env: { HLA_API_KEY: world.users[role].apiKey ?? '', DOCKER_CONFIG: dockerConfig },
  });

const json = (stdout: string) => JSON.parse(stdout);

/** A fresh module directory in the sandbox; returns its name and path. */
async function newModule(): Promise<{ name: string; dir: string }> {
  const name = `admin-tool-${++moduleCount}`;
  const init = await sandbox.run(['init', name]);
  expect(init.code).toBe(0);
  return { name, dir: join(sandbox.dir, name) };
}

async function setVersion(dir: string, version: string): Promise<void> {
  const path = join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(path, 'utf8'));
  await writeFile(path, JSON.stringify({ ...manifest, version }, null, 2));
}

describe('registries', () => {
  it('an admin adds a private namespace with pull credentials: a refused publish then succeeds, and after remove it is refused again', async () => {
    const { name, dir } = await newModule();
    const namespace = `${world.guarded.host}/private-team`;
    const image = `${namespace}/${name}:1.0.0`;
    await world.pushImage(image);
    const publish = (ref: string) =>
      as('developer', ['publish', '--env', 'dev', '--image-ref', ref, '--json'], { cwd: dir });

    const refused = await publish(image);
    expect(refused.code).toBe(1);
    expect(json(refused.stdout).error.code).toBe('REGISTRY_UNAUTHORIZED');

    // Allowed but without pull credentials: the platform cannot read the guarded registry.
    const bare = await as('admin', ['registries', 'add', `${namespace}/*`, '--env', 'dev']);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toContain(
      `✓ Added ${namespace}/* to Your Org's registry allowlist in dev\nprovider     generic\ncredentials  none`,
    );
    const forbidden = await publish(image);
    expect(forbidden.code).toBe(1);
    expect(json(forbidden.stdout).error.code).toBe('IMAGE_FORBIDDEN');
    expect(
      (await as('admin', ['registries', 'remove', `${namespace}/*`, '--env', 'dev'])).code,
    ).toBe(0);

    const added = await as(
      'admin',
      [
        'registries',
        'add',
        `${namespace}/*`,
        '--env',
        'dev',
        '--username',
        REGISTRY_USER.username,
        '--password-stdin',
        '--json',
      ],
      { stdin: `${REGISTRY_USER.password}\n` },
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const entry = json(added.stdout);
    expect(entry).toMatchObject({
      environment: 'dev',
      org: { id: 'your-org' },
      registry: { pattern: `${namespace}/*`, provider: 'generic', hasCredentials: true },
    });
    expect(added.stdout).not.toContain(REGISTRY_USER.password);
    expect(added.stdout).not.toContain('password');

    // The platform pulls with the credentials just stored.
    const accepted = await publish(image);
    expect(accepted.code).toBe(0);
    expect(json(accepted.stdout)).toMatchObject({ moduleName: name, state: 'APPROVED' });

    const listed = await as('admin', ['registries', 'list', '--env', 'dev']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^PATTERN +PROVIDER +CREDENTIALS +ADDED +ID$/m);
    expect(listed.stdout).toMatch(
      new RegExp(`^${namespace.replaceAll('.', '\\.')}/\\* +generic +stored `, 'm'),
    );
    const listedJson = json(
      (await as('admin', ['registries', 'list', '--env', 'dev', '--json'])).stdout,
    );
    expect(listedJson.registries).toContainEqual(expect.objectContaining(entry.registry));
    expect(JSON.stringify(listedJson)).not.toContain(REGISTRY_USER.password);

    const removed = await as('admin', ['registries', 'remove', `${namespace}/*`, '--env', 'dev']);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain(
      `✓ Removed ${namespace}/* from Your Org's registry allowlist in dev, with its pull credentials`,
    );
    const after = json(
      (await as('admin', ['registries', 'list', '--env', 'dev', '--json'])).stdout,
    );
    expect(after.registries.map((item: { pattern: string }) => item.pattern)).not.toContain(
      `${namespace}/*`,
    );

    await setVersion(dir, '1.0.1');
    const next = `${namespace}/${name}:1.0.1`;
    await world.pushImage(next);
    const refusedAgain = await publish(next);
    expect(refusedAgain.code).toBe(1);
    expect(json(refusedAgain.stdout).error.code).toBe('REGISTRY_UNAUTHORIZED');
  });

  it('removes an entry by its id as well as by its pattern', async () => {
    const pattern = `${world.plain.host}/by-id/*`;
    const added = await as('admin', ['registries', 'add', pattern, '--env', 'dev', '--json']);
    expect(added.code).toBe(0);
    const { id, hasCredentials } = json(added.stdout).registry;
    expect(hasCredentials).toBe(false);
    const removed = await as('admin', ['registries', 'remove', id, '--env', 'dev', '--json']);
    expect(removed.code).toBe(0);
    expect(json(removed.stdout)).toMatchObject({ removed: { id, pattern } });
    const again = await as('admin', ['registries', 'remove', id, '--env', 'dev', '--json']);
    expect(again.code).toBe(1);
    expect(json(again.stdout).error).toMatchObject({
      code: 'NOT_FOUND',
      hint: expect.stringContaining('hla-compass registries list --env dev'),
    });
  });

  it.each([
    ['developer', ['registries', 'list', '--env', 'dev']],
    ['viewer', ['registries', 'add', 'ghcr.io/your-org-two/*', '--env', 'dev']],
    ['viewer', ['registries', 'remove', 'ghcr.io/your-org/*', '--env', 'dev']],
  ] as const)('a %s gets the platform’s FORBIDDEN (exit 1): %j', async (role, args) => {
    const text = await as(role, [...args]);
    expect(text.code).toBe(1);
    expect(text.stderr).toMatch(
      /^error: Forbidden: only admins of your-org \(or a platform superuser\) manage its registries/m,
    );
    const result = await as(role, [...args, '--json']);
    expect(result.code).toBe(1);
    expect(json(result.stdout).error.code).toBe('FORBIDDEN');
  });

  it('refuses bad input with exit 2 before or at the platform, and no credentials with exit 3', async () => {
    const noPassword = await as('admin', [
      'registries',
      'add',
      'ghcr.io/your-org/x/*',
      '--env',
      'dev',
      '--username',
      'bot',
    ]);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain(
      'pull credentials need both --username and --password-stdin',
    );

    const emptyPassword = await as(
      'admin',
      [
        'registries',
        'add',
        'ghcr.io/your-org/x/*',
        '--env',
        'dev',
        '--username',
        'bot',
        '--password-stdin',
      ],
      { stdin: '' },
    );
    expect(emptyPassword.code).toBe(2);
    expect(emptyPassword.stderr).toContain('--password-stdin got nothing on standard input');

    const badPattern = await as('admin', [
      'registries',
      'add',
      'GHCR.io/Your-Org/*',
      '--env',
      'dev',
      '--json',
    ]);
    expect(badPattern.code).toBe(2);
    expect(json(badPattern.stdout).error.code).toBe('INVALID_REQUEST');

    const badProvider = await as('admin', [
      'registries',
      'add',
      'ghcr.io/x/*',
      '--env',
      'dev',
      '--provider',
      'quay',
    ]);
    expect(badProvider.code).toBe(2);

    const implicitEnv = await as('admin', ['registries', 'remove', 'ghcr.io/your-org/*']);
    expect(implicitEnv.code).toBe(2);
    expect(implicitEnv.stderr).toContain('needs an explicit environment');

    const anonymous = await sandbox.run(['registries', 'list', '--env', 'dev']);
    expect(anonymous.code).toBe(3);
  });

  it('never shows pull credentials, not even with --verbose', async () => {
    const pattern = `${world.plain.host}/verbose-team/*`;
    const added = await as(
      'admin',
      [
        'registries',
        'add',
        pattern,
        '--env',
        'dev',
        '--username',
        'bot',
        '--password-stdin',
        '--verbose',
      ],
      { stdin: 'pull-secret-never-shown-7f3a' },
    );
    expect(added.code).toBe(0);
    expect(added.stderr).toContain('POST');
    for (const output of [added.stdout, added.stderr]) {
      expect(output).not.toContain('pull-secret-never-shown-7f3a');
    }
    const listed = await as('admin', ['registries', 'list', '--env', 'dev', '--json', '--verbose']);
    expect(`${listed.stdout}${listed.stderr}`).not.toContain('pull-secret-never-shown-7f3a');
    expect((await as('admin', ['registries', 'remove', pattern, '--env', 'dev'])).code).toBe(0);

    // Refused by the platform's schema (over 4096 characters): the error does not quote it.
    const oversized = `pull-secret-oversized-${'x'.repeat(5000)}`;
    const refused = await as(
      'admin',
      [
        'registries',
        'add',
        pattern,
        '--env',
        'dev',
        '--username',
        'bot',
        '--password-stdin',
        '--json',
      ],
      { stdin: oversized },
    );
    expect(refused.code).toBe(2);
    expect(json(refused.stdout).error.code).toBe('INVALID_REQUEST');
    expect(`${refused.stdout}${refused.stderr}`).not.toContain('pull-secret-oversized');
  });
});

describe('approvals', () => {
  async function submitPublic(options: {
    signed: boolean;
  }): Promise<{ name: string; publishId: string }> {
    const { name, dir } = await newModule();
    await setVersion(dir, '1.0.0');
    await world.pushImage(`${world.plain.host}/your-org/${name}:1.0.0`);
    const result = await as(
      'developer',
      [
        'publish',
        '--env',
        'dev',
        '--scope',
        'public',
        '--json',
        ...(options.signed ? ['--generate-keys'] : []),
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const body = json(result.stdout);
    expect(body.state).toBe('SUBMITTED');
    return { name, publishId: body.publishId };
  }

  it('a superuser lists the queue, approves one (the other org then sees it) and rejects another with a reason', async () => {
    // Unsigned first: once --generate-keys made keys here, every publish is signed.
    const rejected = await submitPublic({ signed: false });
    const approved = await submitPublic({ signed: true });

    const table = await as('superuser', ['approvals', 'list', '--env', 'dev']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^PUBLISH +MODULE +ORG +SUBMITTER +DIGEST +SIGNATURE +AGE$/m);
    expect(table.stdout).toMatch(
      new RegExp(
        `^${approved.publishId} +${approved.name}@1\\.0\\.0 +Your Org +developer@your-org\\.test +sha256:[0-9a-f]{64} +ed25519-statement +\\d+[smhd]$`,
        'm',
      ),
    );
    expect(table.stdout).toMatch(
      new RegExp(
        `^${rejected.publishId} +${rejected.name}@1\\.0\\.0 .* unsigned +\\d+[smhd]$`,
        'm',
      ),
    );
    const queue = json(
      (await as('superuser', ['approvals', 'list', '--env', 'dev', '--json'])).stdout,
    );
    expect(queue).toMatchObject({ environment: 'dev', state: 'SUBMITTED' });
    const ids = queue.publishes.map((item: { publishId: string }) => item.publishId);
    expect(ids.indexOf(rejected.publishId)).toBeLessThan(ids.indexOf(approved.publishId));
    expect(
      queue.publishes.find((item: { publishId: string }) => item.publishId === approved.publishId),
    ).toMatchObject({
      moduleName: approved.name,
      orgId: 'your-org',
      submittedBy: { email: 'developer@your-org.test' },
      keyFingerprint: expect.stringMatching(/^SHA256:/),
      signature: { kind: 'ed25519-statement' },
      image: { digest: expect.stringMatching(/^sha256:/) },
    });

    const before = json((await as('other', ['modules', 'list', '--env', 'dev', '--json'])).stdout);
    expect(before.modules.map((item: { moduleName: string }) => item.moduleName)).not.toContain(
      approved.name,
    );
    const approve = await as('superuser', [
      'approvals',
      'approve',
      approved.publishId,
      '--env',
      'dev',
      '--comment',
      'reviewed',
    ]);
    expect(approve.code).toBe(0);
    expect(approve.stdout).toContain(
      `✓ Approved ${approved.name}@1.0.0 in dev: APPROVED, visible to every org`,
    );
    const after = json((await as('other', ['modules', 'list', '--env', 'dev', '--json'])).stdout);
    expect(after.modules.map((item: { moduleName: string }) => item.moduleName)).toContain(
      approved.name,
    );

    const reject = await as('superuser', [
      'approvals',
      'reject',
      rejected.publishId,
      '--env',
      'dev',
      '--reason',
      'needs a description',
      '--json',
    ]);
    expect(reject.code).toBe(0);
    expect(json(reject.stdout)).toMatchObject({
      state: 'REJECTED',
      failureReason: 'needs a description',
    });
    const status = await as('developer', ['publish-status', rejected.publishId, '--env', 'dev']);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(
      `${rejected.name}@1.0.0 was rejected in dev: needs a description`,
    );

    const left = json(
      (await as('superuser', ['approvals', 'list', '--env', 'dev', '--json'])).stdout,
    );
    const leftIds = left.publishes.map((item: { publishId: string }) => item.publishId);
    expect(leftIds).not.toContain(approved.publishId);
    expect(leftIds).not.toContain(rejected.publishId);
    const history = json(
      (
        await as('superuser', [
          'approvals',
          'list',
          '--env',
          'dev',
          '--state',
          'REJECTED',
          '--json',
        ])
      ).stdout,
    );
    expect(history.publishes.map((item: { publishId: string }) => item.publishId)).toContain(
      rejected.publishId,
    );
  });

  it.each([
    ['admin', ['approvals', 'list', '--env', 'dev']],
    ['developer', ['approvals', 'approve', 'PUBLISH', '--env', 'dev']],
    ['admin', ['approvals', 'reject', 'PUBLISH', '--env', 'dev', '--reason', 'no']],
  ] as const)(
    'a non-superuser (%s) gets the platform’s FORBIDDEN (exit 1): %j',
    async (role, args) => {
      const { publishId } = await submitPublic({ signed: false });
      const command = args.map((arg) => (arg === 'PUBLISH' ? publishId : arg));
      const text = await as(role, command);
      expect(text.code).toBe(1);
      expect(text.stderr).toMatch(/^error: Forbidden: only a platform superuser can/m);
      const result = await as(role, [...command, '--json']);
      expect(result.code).toBe(1);
      expect(json(result.stdout).error.code).toBe('FORBIDDEN');
      const still = await as('developer', ['publish-status', publishId, '--env', 'dev', '--json']);
      expect(json(still.stdout).state).toBe('SUBMITTED');
    },
  );

  it('reject needs --reason (exit 2), an unknown publish is NOT_FOUND (exit 1), and the writes need an explicit --env', async () => {
    const noReason = await as('superuser', ['approvals', 'reject', 'pub_0', '--env', 'dev']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('approvals reject needs --reason');
    const unknown = await as('superuser', [
      'approvals',
      'approve',
      'pub_unknown',
      '--env',
      'dev',
      '--json',
    ]);
    expect(unknown.code).toBe(1);
    expect(json(unknown.stdout).error.code).toBe('NOT_FOUND');
    const implicit = await as('superuser', ['approvals', 'approve', 'pub_unknown']);
    expect(implicit.code).toBe(2);
    expect(implicit.stderr).toContain('needs an explicit environment');
  });
});
