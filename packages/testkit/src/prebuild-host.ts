// A binary host for prebuild-install, the way a corporate mirror of GitHub's release downloads
// serves one: the native addon built in this workspace, packed as a prebuild tarball, on loopback.
// An install given its URL (`npm_config_<package>_binary_host`) takes the prebuilt path instead of
// downloading from GitHub (unreachable here) or compiling the addon from source.
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findExecutable } from './executables.js';
import { LOOPBACK_HOST } from './ports.js';
import { runProcess } from './subprocess.js';

export interface PrebuildHostOptions {
  /** An installed package whose addon was built. */
  readonly packageDir: string;
  /**
   * The addon's path in it, as prebuild-install unpacks it (`build/Release/better_sqlite3.node`).
   * Only the addon: prebuild-install loads every `.node` it unpacks to check it, and
   * better-sqlite3's build also holds a SQLite extension that is no Node addon.
   */
  readonly addon: string;
  /**
   * Where the built addon really is in the package, when not at `addon` (the Node matrix keeps one
   * per Node under `compiled/<node>/<platform>/<arch>/`); the tarball still holds it at `addon`.
   */
  readonly addonSource?: string;
}

export interface RunningPrebuildHost {
  /** `http://127.0.0.1:PORT`, the value of `environmentVariable`. */
  readonly url: string;
  /** `npm_config_better_sqlite3_binary_host` for better-sqlite3: prebuild-install reads it. */
  readonly environmentVariable: string;
  /** The path prebuild-install asks for: `/v<version>/<name>-v<version>-node-v<abi>-<platform>-<arch>.tar.gz`. */
  readonly tarballPath: string;
  stop(): Promise<void>;
}

/** prebuild-install's default asset name (util.js), for glibc Linux and the running Node's ABI. */
export function prebuildTarballName(name: string, version: string): string {
  const bare = name.replace(/^@[^/]+\//, '');
  return `${bare}-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
}

/** The variable prebuild-install reads a mirror's URL from (`getHostMirrorUrl` in its util.js). */
export function binaryHostVariable(name: string): string {
  return `npm_config_${name.replace(/[^a-zA-Z0-9]/g, '_').replace(/^_/, '')}_binary_host`;
}

export async function startPrebuildHost(
  options: PrebuildHostOptions,
): Promise<RunningPrebuildHost> {
  const manifest = JSON.parse(await readFile(join(options.packageDir, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  const source = options.addonSource ?? options.addon;
  await stat(join(options.packageDir, source)).catch(() => {
    throw new Error(
      `${options.packageDir} has no ${source}: was ${manifest.name}'s install script run?`,
    );
  });
  const workDir = await mkdtemp(join(tmpdir(), 'hla-compass-prebuild-'));
  try {
    const tarballName = prebuildTarballName(manifest.name, manifest.version);
    const tarball = join(workDir, tarballName);
    const tar = await findExecutable('tar', process.env.PATH);
    if (tar === undefined) throw new Error('packing a prebuild needs tar on PATH');
    const content = join(workDir, 'content');
    await mkdir(dirname(join(content, options.addon)), { recursive: true });
    await copyFile(join(options.packageDir, source), join(content, options.addon));
    const packed = await runProcess(tar, ['-czf', tarball, '-C', content, options.addon]);
    if (packed.code !== 0) throw new Error(`tar failed: ${packed.stderr.trim()}`);
    const { size } = await stat(tarball);
    const tarballPath = `/v${manifest.version}/${tarballName}`;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url !== tarballPath) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, {
        'content-type': 'application/gzip',
        'content-length': String(size),
      });
      createReadStream(tarball).pipe(response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: LOOPBACK_HOST, port: 0 }, () => resolve());
    });
    const address = server.address();
    if (typeof address !== 'object' || address === null) throw new Error('no port was assigned');
    let stopping: Promise<void> | undefined;
    return {
      url: `http://${LOOPBACK_HOST}:${address.port}`,
      environmentVariable: binaryHostVariable(manifest.name),
      tarballPath,
      stop: () => {
        stopping ??= (async () => {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await rm(workDir, { recursive: true, force: true });
        })();
        return stopping;
      },
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
