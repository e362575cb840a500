// The emulator and a shared library as npm users get them: installed from the local verdaccio
// (no uplinks, so every package comes from what the setup published or mirrored) into temp dirs
// outside any checkout, with a temp HOME and npm cache, and run from there. better-sqlite3 takes
// its documented prebuilt path, from the setup's loopback binary host.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  type ProcessResult,
  processExited,
  productionClosure,
  runProcess,
} from '@hla-compass/testkit';
import { describe, expect, it } from 'vitest';
import { transcript, world } from './user-machine.js';

const PLATFORM_DIR = fileURLToPath(new URL('../../apps/platform', import.meta.url));

/** What @hla-compass/platform itself depends on, all of them needed at run time. */
const PLATFORM_DEPENDENCIES = [
  '@hla-compass/local-registry',
  '@hla-compass/manifest',
  '@hla-compass/platform-api',
  '@hla-compass/registry-client',
  '@hla-compass/signing',
  '@hono/node-server',
  'better-sqlite3',
  'hono',
  'zod',
];

interface NpmMachine {
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  npm(args: readonly string[], cwd?: string): Promise<ProcessResult>;
}

/**
 * A machine with nothing but Node and npm: a temp HOME, an empty npm cache and user config, the
 * local verdaccio as its registry and the binary host as its better-sqlite3 mirror. PATH keeps
 * no workspace `node_modules/.bin`, so only what npm installs here can run.
 */
async function npmMachine(name: string): Promise<NpmMachine> {
  const dir = await mkdtemp(join(world.scratchDir, `${name}-`));
  const home = join(dir, 'home');
  await mkdir(home);
  await writeFile(join(home, '.npmrc'), '');
  const path = (process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin')
    .split(':')
    .filter((entry) => !entry.split('/').includes('node_modules'))
    .join(':');
  const env: Record<string, string> = {
    PATH: path,
    HOME: home,
    NPM_CONFIG_USERCONFIG: join(home, '.npmrc'),
    npm_config_registry: world.verdaccioUrl,
    npm_config_cache: join(home, '.npm'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    [world.sqliteBinaryHost.variable]: world.sqliteBinaryHost.url,
  };
  const npm = async (args: readonly string[], cwd = dir) => {
    const result = await runProcess('npm', args, { cwd, env });
    transcript.push(result.stdout, result.stderr);
    return result;
  };
  return { dir, env, npm };
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

/** `du -sk` of a path, in MB. */
async function megabytes(path: string): Promise<number> {
  const result = await runProcess('du', ['-sk', path]);
  expect(result.code).toBe(0);
  return Number(result.stdout.split('\t')[0]) / 1024;
}

interface NpmTree {
  readonly version?: string;
  readonly dependencies?: Record<string, NpmTree>;
}

/** Every `name@version` of an `npm ls --all --json` tree. */
function treePackages(tree: NpmTree): string[] {
  return Object.entries(tree.dependencies ?? {}).flatMap(([name, node]) => [
    `${name}@${node.version}`,
    ...treePackages(node),
  ]);
}

/** Starts the installed bin, waits for its banner's first line and returns the URL it names. */
async function startInstalled(bin: string, env: Readonly<Record<string, string>>, cwd: string) {
  const child = spawn(bin, ['start', '--port', '0', '--memory', '--registry', 'none'], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      output.push(line);
      const match = /listening on (http:\/\/\S+)/.exec(line);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`exited with ${code} before listening:\n${output.join('\n')}\n${stderr}`)),
    );
  });
  // Its banner is left out of the secret scan: it lists the default seed's dev-only accounts by
  // design, and the setup's emulator runs with those same accounts, whose secrets the scan knows.
  const stopped = processExited(child).then(() => {
    transcript.push(stderr);
    return { code: child.exitCode, signal: child.signalCode, output };
  });
  return { child, url, stopped };
}

describe('the published packages, installed with npm from the local registry', () => {
  it('npm install -g @hla-compass/platform takes the prebuilt better-sqlite3 and the installed bin answers /healthz, then stops on SIGTERM', async () => {
    const machine = await npmMachine('platform-global');
    const prefix = join(machine.dir, 'prefix');
    const { name, version } = world.platformPackage;
    const start = performance.now();
    const install = await machine.npm([
      'install',
      '--global',
      `${name}@${version}`,
      '--prefix',
      prefix,
    ]);
    const installSeconds = seconds(start);
    expect(install.code, install.stderr).toBe(0);

    // The prebuilt path unpacks the addon alone; a compile from source would leave node-gyp's
    // Makefile and object files beside it.
    const sqliteDir = join(prefix, 'lib', 'node_modules', name, 'node_modules', 'better-sqlite3');
    expect(await readdir(join(sqliteDir, 'build'))).toEqual(['Release']);
    expect(await readdir(join(sqliteDir, 'build', 'Release'))).toEqual(['better_sqlite3.node']);
    const [total, sqlite] = await Promise.all([megabytes(prefix), megabytes(sqliteDir)]);
    process.stderr.write(
      `[platform package] npm install -g ${name}: ${installSeconds} s, ${total.toFixed(1)} MB installed, better-sqlite3 ${sqlite.toFixed(1)} MB of it\n`,
    );

    // What the tarball holds is what scripts/pack-published.mjs left: versions, no dev tooling.
    const installedManifest = await readFile(
      join(prefix, 'lib', 'node_modules', name, 'package.json'),
      'utf8',
    );
    expect(JSON.parse(installedManifest)).not.toHaveProperty('devDependencies');
    expect(installedManifest).not.toMatch(/"(workspace|catalog):/);

    const listed = await machine.npm([
      'ls',
      '--global',
      '--prefix',
      prefix,
      '--all',
      '--omit=dev',
      '--json',
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    const tree = JSON.parse(listed.stdout) as NpmTree;
    const platform = tree.dependencies?.[name];
    expect(platform?.version).toBe(version);
    expect(Object.keys(platform?.dependencies ?? {}).sort()).toEqual(PLATFORM_DEPENDENCIES);
    // Nothing else, and each at the version the workspace runs with: the closure of apps/platform's
    // dependencies in node_modules, plus the shared packages at the workspace's version.
    const installedTree = [...new Set(treePackages(tree))].sort();
    const closure = await productionClosure([PLATFORM_DIR]);
    const shared = PLATFORM_DEPENDENCIES.filter((dependency) =>
      dependency.startsWith('@hla-compass/'),
    );
    expect(installedTree).toEqual(
      [
        `${name}@${version}`,
        ...shared.map((dependency) => `${dependency}@${version}`),
        ...closure.map((installed) => `${installed.name}@${installed.version}`),
      ].sort(),
    );
    process.stderr.write(
      `[platform package] installed tree (${installedTree.length}): ${installedTree.join(', ')}\n`,
    );

    const server = await startInstalled(
      join(prefix, 'bin', 'hla-compass-platform'),
      machine.env,
      machine.dir,
    );
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ persistent: false });
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.stopped).toMatchObject({ code: 0, signal: null });
  });

  it('npm exec --yes --package @hla-compass/platform runs hla-compass-platform one-shot', async () => {
    const machine = await npmMachine('platform-npx');
    const { name, version } = world.platformPackage;
    const start = performance.now();
    const run = await machine.npm([
      'exec',
      '--yes',
      '--package',
      `${name}@${version}`,
      '--',
      'hla-compass-platform',
      '--version',
    ]);
    process.stderr.write(`[platform package] npm exec ${name} --version: ${seconds(start)} s\n`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it('npm install @hla-compass/manifest in a project gives a library whose validateManifest works', async () => {
    const machine = await npmMachine('manifest-library');
    const project = join(machine.dir, 'project');
    await mkdir(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'uses-manifest', private: true, type: 'module' }),
    );
    const install = await machine.npm(['install', '@hla-compass/manifest'], project);
    expect(install.code, install.stderr).toBe(0);
    const script = [
      "const m = await import('@hla-compass/manifest');",
      "const result = m.validateManifest({ name: 'Not A Name' });",
      'console.log(JSON.stringify({ valid: result.valid, codes: result.issues.length > 0 }));',
    ].join('\n');
    const run = await runProcess(process.execPath, ['--input-type=module', '-e', script], {
      cwd: project,
      env: machine.env,
    });
    transcript.push(run.stdout, run.stderr);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ valid: false, codes: true });
  });
});
