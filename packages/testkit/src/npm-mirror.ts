// The third-party packages a workspace package needs at run time, taken from the workspace's own
// node_modules (exactly the versions installed) and packed the way the public registry serves them,
// so an offline registry can hold everything `npm install` of the workspace's packages fetches.
import { copyFile, cp, mkdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { findExecutable } from './executables.js';
import { runProcess } from './subprocess.js';

/** A package as installed under some node_modules. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  /** Its real directory (pnpm's `.pnpm/<name>@<version>/node_modules/<name>`). */
  readonly dir: string;
}

interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies: readonly string[];
  /** Those that need not be installed: optional dependencies and optional peers. */
  readonly optional: ReadonlySet<string>;
}

function names(field: unknown): string[] {
  return typeof field === 'object' && field !== null ? Object.keys(field) : [];
}

async function readManifest(dir: string): Promise<PackageManifest> {
  const parsed: unknown = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  if (typeof parsed !== 'object' || parsed === null) throw new Error(`${dir}/package.json`);
  const manifest = parsed as Record<string, unknown>;
  const { name, version } = manifest;
  if (typeof name !== 'string' || typeof version !== 'string') {
    throw new Error(`${dir}/package.json has no name or version`);
  }
  const peersMeta = manifest.peerDependenciesMeta;
  const optionalPeers = names(peersMeta).filter((peer) => {
    const meta = (peersMeta as Record<string, unknown>)[peer];
    return (
      typeof meta === 'object' && meta !== null && 'optional' in meta && meta.optional === true
    );
  });
  const optional = new Set([...names(manifest.optionalDependencies), ...optionalPeers]);
  // npm installs peers too (since npm 7), so they belong to what the registry must hold.
  const dependencies = [
    ...new Set([
      ...names(manifest.dependencies),
      ...names(manifest.optionalDependencies),
      ...names(manifest.peerDependencies),
    ]),
  ];
  return { name, version, dependencies, optional };
}

async function exists(path: string): Promise<boolean> {
  return realpath(path).then(
    () => true,
    () => false,
  );
}

/** Node's lookup: `<ancestor>/node_modules/<name>` for each ancestor not itself a node_modules. */
async function resolveFrom(dir: string, name: string): Promise<string | undefined> {
  for (let current = dir; ; current = dirname(current)) {
    if (!current.endsWith(`${sep}node_modules`)) {
      const candidate = join(current, 'node_modules', name);
      if (await exists(join(candidate, 'package.json'))) return realpath(candidate);
    }
    if (dirname(current) === current) return undefined;
  }
}

const isInstalled = (dir: string) => dir.split(sep).includes('node_modules');

/**
 * Every third-party package reachable from `packageDirs` through dependencies, optional
 * dependencies (when installed) and peers, resolved as Node resolves them from each real dir.
 * Workspace packages on the way (dirs outside any node_modules) are walked through, not listed.
 */
export async function productionClosure(
  packageDirs: readonly string[],
): Promise<InstalledPackage[]> {
  const found = new Map<string, InstalledPackage>();
  const visited = new Set<string>();
  const queue = await Promise.all(packageDirs.map((dir) => realpath(dir)));
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    if (visited.has(dir)) continue;
    visited.add(dir);
    const manifest = await readManifest(dir);
    if (isInstalled(dir)) {
      found.set(dir, { name: manifest.name, version: manifest.version, dir });
    }
    for (const dependency of manifest.dependencies) {
      const resolved = await resolveFrom(dir, dependency);
      if (resolved !== undefined) queue.push(resolved);
      else if (!manifest.optional.has(dependency)) {
        throw new Error(`${manifest.name} needs ${dependency}, which is not installed beside it`);
      }
    }
  }
  return [...found.values()].sort((a, b) =>
    `${a.name}@${a.version}`.localeCompare(`${b.name}@${b.version}`),
  );
}

export interface PackOptions {
  /** Parallel npm processes (2, one per core of a CI machine). */
  readonly lanes?: number;
  /**
   * Where tarballs are kept between runs, by name and version: an installed version's packed
   * tarball never changes, so only packages not packed before are packed again.
   */
  readonly cacheDir?: string;
}

const cacheName = (pkg: InstalledPackage) => `${pkg.name.replace('/', '+')}@${pkg.version}.tgz`;

/**
 * `npm pack --ignore-scripts` of each installed package into `destination` (each honours its own
 * `files`), in parallel npm processes; returns the tarball paths in the packages' order (in the
 * cache dir for those packed before). npm 11 cannot pack a dir inside pnpm's `.pnpm` tree ("Exit
 * handler never called"), so each is copied out first, without its nested node_modules (links to
 * its dependencies, never packed).
 */
export async function packInstalled(
  packages: readonly InstalledPackage[],
  destination: string,
  env: Readonly<Record<string, string>>,
  options: PackOptions = {},
): Promise<string[]> {
  const { lanes = 2, cacheDir } = options;
  const cached = new Map<InstalledPackage, string>();
  if (cacheDir !== undefined) {
    await Promise.all(
      packages.map(async (pkg) => {
        const path = join(cacheDir, cacheName(pkg));
        if (await exists(path)) cached.set(pkg, path);
      }),
    );
  }
  const missing = packages.filter((pkg) => !cached.has(pkg));
  const packed = await packCopies(missing, destination, env, lanes);
  if (cacheDir !== undefined && missing.length > 0) {
    await mkdir(cacheDir, { recursive: true });
    await Promise.all(
      missing.map(async (pkg) => {
        // A rename, so a run reading the cache meanwhile never sees half a tarball.
        const partial = join(cacheDir, `.${cacheName(pkg)}.${process.pid}`);
        await copyFile(packed.get(pkg) as string, partial);
        await rename(partial, join(cacheDir, cacheName(pkg)));
      }),
    );
  }
  return packages.map((pkg) => cached.get(pkg) ?? (packed.get(pkg) as string));
}

async function packCopies(
  packages: readonly InstalledPackage[],
  destination: string,
  env: Readonly<Record<string, string>>,
  lanes: number,
): Promise<Map<InstalledPackage, string>> {
  const tarballs = new Map<InstalledPackage, string>();
  if (packages.length === 0) return tarballs;
  const npm = await findExecutable('npm', env.PATH);
  if (npm === undefined) throw new Error('packing installed packages needs npm on PATH');
  const copies = join(destination, 'copies');
  await mkdir(copies, { recursive: true });
  const dirs = await Promise.all(
    packages.map(async (pkg, index) => {
      const copy = join(copies, String(index));
      await cp(pkg.dir, copy, {
        recursive: true,
        filter: (source) => !source.slice(pkg.dir.length).split(sep).includes('node_modules'),
      });
      return copy;
    }),
  );
  const batches = Array.from({ length: lanes }, (_, lane) =>
    dirs.filter((_, index) => index % lanes === lane),
  ).filter((batch) => batch.length > 0);
  const packed = new Map<string, string>();
  await Promise.all(
    batches.map(async (batch) => {
      const result = await runProcess(
        npm,
        ['pack', '--ignore-scripts', '--json', '--pack-destination', destination, ...batch],
        { cwd: destination, env },
      );
      if (result.code !== 0) {
        throw new Error(`npm pack failed with exit code ${result.code}:\n${result.stderr.trim()}`);
      }
      const listed = JSON.parse(result.stdout) as {
        name: string;
        version: string;
        filename: string;
      }[];
      for (const entry of listed) {
        packed.set(`${entry.name}@${entry.version}`, join(destination, entry.filename));
      }
    }),
  );
  await rm(copies, { recursive: true, force: true });
  for (const pkg of packages) {
    const tarball = packed.get(`${pkg.name}@${pkg.version}`);
    if (tarball === undefined) throw new Error(`npm pack did not pack ${pkg.name}@${pkg.version}`);
    tarballs.set(pkg, tarball);
  }
  return tarballs;
}
