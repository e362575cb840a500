// init, validate, keys and env as users run them: the built CLI in a sandboxed HOME and config dir.
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-process.js';

let sandbox: Sandbox;
beforeEach(async () => {
  sandbox = await createSandbox();
});
afterEach(() => sandbox.cleanup());

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('init', () => {
  it.each(['no-ui', 'with-ui'])(
    'scaffolds a %s module that passes validate --strict',
    async (template) => {
      const init = await sandbox.run(['init', 'peptide-scorer', '--template', template]);
      expect(init.code).toBe(0);
      expect(init.stdout).toContain(`Created module peptide-scorer (${template})`);
      const dir = join(sandbox.dir, 'peptide-scorer');
      const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ name: 'peptide-scorer', type: template, version: '0.1.0' });
      expect(await readdir(dir)).toEqual(
        expect.arrayContaining([
          '.dockerignore',
          '.gitignore',
          'backend',
          'examples',
          'manifest.json',
        ]),
      );
      expect((await readdir(dir)).includes('frontend')).toBe(template === 'with-ui');
      expect(await readFile(join(dir, 'backend', 'main.py'), 'utf8')).toContain('peptide-scorer');

      const validate = await sandbox.run(['validate', '--strict'], { cwd: dir });
      expect(validate).toMatchObject({ code: 0 });
      expect(validate.stdout).toContain('manifest.json is valid (strict)');
    },
  );

  it('takes the author from config.json', async () => {
    await mkdir(sandbox.configDir, { recursive: true });
    await writeFile(
      join(sandbox.configDir, 'config.json'),
      JSON.stringify({ author: { name: 'Ada Lovelace', email: 'ada@example.org' } }),
    );
    expect((await sandbox.run(['init', 'ada-module'])).code).toBe(0);
    const manifest = JSON.parse(
      await readFile(join(sandbox.dir, 'ada-module', 'manifest.json'), 'utf8'),
    );
    expect(manifest.author).toEqual({ name: 'Ada Lovelace', email: 'ada@example.org' });
  });

  it.each(['My_Module', 'ab', 'trailing-', 'x'.repeat(51)])(
    'refuses the name %s with exit 2 and creates nothing',
    async (name) => {
      const result = await sandbox.run(['init', name]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: invalid module name: /m);
      expect(await readdir(sandbox.dir)).not.toContain(name);
    },
  );

  it('refuses a non-empty directory, and with --yes adds only the missing files', async () => {
    const dir = join(sandbox.dir, 'existing');
    await mkdir(join(dir, 'backend'), { recursive: true });
    await writeFile(join(dir, 'backend', 'main.py'), 'print("mine")\n');

    const refused = await sandbox.run(['init', 'existing']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('hint: pick another name, or pass --yes');

    const merged = await sandbox.run(['init', 'existing', '--yes', '--json']);
    expect(merged.code).toBe(0);
    const result = JSON.parse(merged.stdout);
    expect(result.kept).toEqual(['backend/main.py']);
    expect(result.created).toContain('manifest.json');
    expect(await readFile(join(dir, 'backend', 'main.py'), 'utf8')).toBe('print("mine")\n');
  });
});

describe('validate', () => {
  async function moduleWith(manifest: unknown, requirements = '') {
    const dir = join(sandbox.dir, 'mod');
    await mkdir(join(dir, 'backend'), { recursive: true });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    await writeFile(join(dir, 'backend', 'requirements.txt'), requirements);
    await writeFile(join(dir, 'backend', 'main.py'), 'class Module:\n    pass\n');
    return dir;
  }
  const valid = {
    schemaVersion: '1.0',
    pricing: { tiers: [{ tier: 'developer', amountAct: 0 }] },
    name: 'mod-one',
    version: '1.0.0',
    type: 'no-ui',
    execution: { entrypoint: 'backend.main:Module' },
  };

  it('exits 2 with one line per issue for an invalid manifest', async () => {
    const dir = await moduleWith({ ...valid, name: 'Bad_Name', version: '1.0', type: 'gui' });
    const result = await sandbox.run(['validate'], { cwd: dir });
    expect(result.code).toBe(2);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/manifest.json is invalid: 3 errors/);
    const issueLines = lines.slice(1);
    expect(issueLines).toHaveLength(3);
    expect(issueLines.find((line) => line.includes('/name: '))).toMatch(/error/);
    expect(issueLines.find((line) => line.includes('/version: '))).toBeDefined();
    expect(issueLines.find((line) => line.includes('/type: '))).toBeDefined();
  });

  it('prints {"valid": false, "issues": [...]} with --json', async () => {
    const dir = await moduleWith({ ...valid, version: '1.0.0+build.5' });
    const result = await sandbox.run(['validate', '--json'], { cwd: dir });
    expect(result.code).toBe(2);
    const body = JSON.parse(result.stdout);
    expect(body.valid).toBe(false);
    expect(body.issues).toHaveLength(1);
    expect(body.issues[0]).toEqual({
      code: expect.stringMatching(/^schema\./),
      severity: 'error',
      path: '/version',
      message: expect.any(String),
    });
  });

  it('warns about unpinned requirements, and fails on them under --strict', async () => {
    const dir = await moduleWith(valid, 'numpy==2.1.3\npandas>=2\nrequests\n');
    const lenient = await sandbox.run(['validate', '--json'], { cwd: dir });
    expect(lenient.code).toBe(0);
    const unpinned = JSON.parse(lenient.stdout).issues.filter(
      (issue: { code: string }) => issue.code === 'structure.requirements_unpinned',
    );
    expect(unpinned).toHaveLength(2);
    expect(unpinned.every((issue: { severity: string }) => issue.severity === 'warning')).toBe(
      true,
    );

    const strict = await sandbox.run(['validate', '--strict'], { cwd: dir });
    expect(strict.code).toBe(2);
    expect(strict.stdout).toMatch(/requirements/);
  });

  it('reports a missing manifest with exit 2', async () => {
    const result = await sandbox.run(['validate', '--manifest', 'nowhere/manifest.json', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).issues[0].code).toBe('manifest.not_found');
  });
});

describe('keys', () => {
  const keysDir = () => join(sandbox.configDir, 'keys');

  it('creates a 0600 PKCS#8 private key, a 0644 SPKI public key in a 0700 directory', async () => {
    const result = await sandbox.run(['keys', 'init', '--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.created).toBe(true);
    expect(await mode(keysDir())).toBe(0o700);
    expect(await mode(join(keysDir(), 'private.pem'))).toBe(0o600);
    expect(await mode(join(keysDir(), 'public.pem'))).toBe(0o644);

    // node:crypto reads both files, the fingerprint is SHA256 of the DER SPKI, and they make a pair.
    const privateKey = createPrivateKey(await readFile(join(keysDir(), 'private.pem')));
    const publicKey = createPublicKey(await readFile(join(keysDir(), 'public.pem')));
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const expected = `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
    expect(body.keyFingerprint).toBe(expected);
    const message = Buffer.from('pair check');
    expect(verify(null, message, publicKey, sign(null, message, privateKey))).toBe(true);
  });

  it('keeps existing keys without --force, and replaces them with it', async () => {
    const first = JSON.parse((await sandbox.run(['keys', 'init', '--json'])).stdout);
    const again = await sandbox.run(['keys', 'init', '--json']);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      created: false,
      keyFingerprint: first.keyFingerprint,
    });
    expect(again.stderr).toContain('keys already exist');

    const forced = JSON.parse((await sandbox.run(['keys', 'init', '--force', '--json'])).stdout);
    expect(forced.created).toBe(true);
    expect(forced.keyFingerprint).not.toBe(first.keyFingerprint);
  });

  it('shows the public key and fingerprint, never the private key', async () => {
    const created = JSON.parse((await sandbox.run(['keys', 'init', '--json'])).stdout);
    const shown = await sandbox.run(['keys', 'show', '--json']);
    expect(shown.code).toBe(0);
    const body = JSON.parse(shown.stdout);
    expect(body.keyFingerprint).toBe(created.keyFingerprint);
    const der = createPublicKey(await readFile(join(keysDir(), 'public.pem'))).export({
      type: 'spki',
      format: 'der',
    });
    expect(body.publicKey).toBe(der.toString('base64'));

    const privatePem = await readFile(join(keysDir(), 'private.pem'), 'utf8');
    const privateBody = privatePem.split('\n').slice(1, -2).join('');
    const human = await sandbox.run(['keys', 'show']);
    for (const output of [shown.stdout, shown.stderr, human.stdout, human.stderr]) {
      expect(output).not.toContain(privateBody);
      expect(output).not.toContain('PRIVATE KEY');
    }
  });

  it('tells how to create keys when there are none (exit 2)', async () => {
    const result = await sandbox.run(['keys', 'show']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Run `hla-compass keys init` first');
  });

  it('refuses a private key readable by others and says how to fix it (exit 2)', async () => {
    await sandbox.run(['keys', 'init']);
    await chmod(join(keysDir(), 'private.pem'), 0o644);
    const result = await sandbox.run(['keys', 'show']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`chmod 600 ${join(keysDir(), 'private.pem')}`);
  });
});

describe('env list', () => {
  it('marks dev as selected by default with the built-in URLs', async () => {
    const result = await sandbox.run(['env', 'list', '--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({ selected: 'dev', selectedBy: 'default' });
    expect(body.environments.map((environment: { name: string }) => environment.name)).toEqual([
      'local',
      'dev',
      'staging',
      'prod',
    ]);
    expect(body.environments[3]).toMatchObject({
      name: 'prod',
      apiUrl: 'https://api.alithea.bio',
      apiUrlSource: 'default',
      consoleUrl: 'https://hub.alithea.bio',
    });
  });

  it('shows config-file URLs, and applies HLA_API_ENDPOINT to the selected environment only', async () => {
    await mkdir(sandbox.configDir, { recursive: true });
    await writeFile(
      join(sandbox.configDir, 'config.json'),
      JSON.stringify({
        defaultEnv: 'staging',
        environments: { staging: { apiUrl: 'http://127.0.0.1:4100/staging' } },
      }),
    );
    const fromConfig = JSON.parse((await sandbox.run(['env', 'list', '--json'])).stdout);
    expect(fromConfig).toMatchObject({ selected: 'staging', selectedBy: 'config' });
    expect(fromConfig.environments[2]).toMatchObject({
      apiUrl: 'http://127.0.0.1:4100/staging',
      apiUrlSource: 'config',
      consoleUrl: 'http://127.0.0.1:4100/staging',
    });

    const overridden = JSON.parse(
      (
        await sandbox.run(['env', 'list', '--json', '--env', 'local'], {
          env: { HLA_API_ENDPOINT: 'http://127.0.0.1:9999/local' },
        })
      ).stdout,
    );
    expect(overridden.environments[0]).toMatchObject({
      name: 'local',
      selected: true,
      apiUrl: 'http://127.0.0.1:9999/local',
      apiUrlSource: 'environment',
    });
    expect(overridden.environments[2].apiUrl).toBe('http://127.0.0.1:4100/staging');
  });

  it('prints a table on stdout by default', async () => {
    const result = await sandbox.run(['env', 'list']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ +ENV +API URL/m);
    expect(result.stdout).toMatch(/^\* +dev +https:\/\/api-dev\.alithea\.bio/m);
  });
});
