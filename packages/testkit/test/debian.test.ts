import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aptInstallCommand,
  ensureDebianPackages,
  installDebianPackages,
  installRefusal,
  missingDebianPackages,
  ServiceUnavailableError,
} from '../src/index.js';

describe('installRefusal', () => {
  it('lets root on Debian install', () => {
    expect(
      installRefusal(['docker-registry'], { root: true, debian: true }, 'The registry'),
    ).toBeUndefined();
  });

  it('tells a non-root Debian user the apt command', () => {
    const message = installRefusal(
      ['docker-registry', 'apache2-utils'],
      { root: false, debian: true },
      'The registry',
    );
    expect(message).toContain(
      'The registry needs the Debian package(s) docker-registry, apache2-utils',
    );
    expect(message).toContain('not root');
    expect(message).toContain(
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends docker-registry apache2-utils',
    );
  });

  it('tells other systems to provide the programs on PATH', () => {
    const message = installRefusal(
      ['docker-registry'],
      { root: true, debian: false },
      'The registry',
    );
    expect(message).toContain('not a Debian system');
    expect(message).toContain('put them on PATH');
  });
});

describe('ensureDebianPackages', () => {
  it('does nothing when the packages are installed', async () => {
    expect(await missingDebianPackages(['coreutils'])).toEqual([]);
    await expect(
      ensureDebianPackages(['coreutils'], { reason: 'a test' }),
    ).resolves.toBeUndefined();
  });

  it('lists packages dpkg does not know as missing', async () => {
    expect(await missingDebianPackages(['coreutils', 'hla-compass-no-such-package'])).toEqual([
      'hla-compass-no-such-package',
    ]);
  });

  it('refuses names that are not Debian package names', async () => {
    await expect(
      ensureDebianPackages(['docker-registry; rm -rf /'], { reason: 'a test' }),
    ).rejects.toThrow(/not a Debian package name/);
  });

  it('says how to install by hand', () => {
    expect(aptInstallCommand(['a', 'b'])).toBe(
      'sudo apt-get update && sudo apt-get install -y --no-install-recommends a b',
    );
    expect(new ServiceUnavailableError('The registry', 'why').message).toBe(
      'The registry is unavailable: why',
    );
  });
});

describe('installDebianPackages, with apt-get and dpkg-query stand-ins on PATH', () => {
  let root: string;
  let env: Record<string, string | undefined>;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'testkit-apt-'));
    const bin = join(root, 'bin');
    await mkdir(join(root, 'installed'), { recursive: true });
    await mkdir(bin);
    // dpkg-query answers from marker files; apt-get logs what it is asked and creates them.
    await writeFile(
      join(bin, 'dpkg-query'),
      `#!/bin/sh\nfor p; do :; done\n[ -f "$FAKE_ROOT/installed/$p" ] && printf 'install ok installed' || exit 1\n`,
    );
    await writeFile(
      join(bin, 'apt-get'),
      `#!/bin/sh
echo "$DEBIAN_FRONTEND $*" >> "$FAKE_ROOT/apt.log"
case " $* " in *" install "*)
  for p; do case "$p" in -*|install|DPkg*) ;; *) touch "$FAKE_ROOT/installed/$p" ;; esac; done
  sleep 0.2 ;;
esac
`,
    );
    await chmod(join(bin, 'dpkg-query'), 0o755);
    await chmod(join(bin, 'apt-get'), 0o755);
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, FAKE_ROOT: root };
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const options = () => ({
    reason: 'a test',
    env,
    lockPath: join(root, 'apt.lock'),
    stampPath: join(root, 'apt.updated'),
  });
  const aptLog = async () => (await readFile(join(root, 'apt.log'), 'utf8')).trim().split('\n');

  it('runs apt-get update then install, non-interactively, without recommends', async () => {
    await installDebianPackages(['docker-registry', 'apache2-utils'], options());
    const log = await aptLog();
    expect(log[0]).toBe('noninteractive update -qq');
    expect(log[1]).toMatch(
      /^noninteractive install -y -qq --no-install-recommends .* docker-registry apache2-utils$/,
    );
    expect(await missingDebianPackages(['docker-registry', 'apache2-utils'], env)).toEqual([]);
  });

  it('serializes concurrent installers: the first installs, the others find the work done', async () => {
    await Promise.all([1, 2, 3].map(() => installDebianPackages(['docker-registry'], options())));
    const log = await aptLog();
    expect(log.filter((line) => line.includes(' install '))).toHaveLength(1);
    expect(log.filter((line) => line.includes(' update'))).toHaveLength(1);
  });

  it('skips apt-get update when the lists were refreshed within the hour', async () => {
    await writeFile(join(root, 'apt.updated'), '');
    await installDebianPackages(['docker-registry'], options());
    expect((await aptLog()).some((line) => line.includes(' update'))).toBe(false);
  });

  it('fails with the manual command when the package is still missing afterwards', async () => {
    await writeFile(join(root, 'bin', 'apt-get'), '#!/bin/sh\nexit 0\n');
    await expect(installDebianPackages(['docker-registry'], options())).rejects.toThrow(
      /still not installed; try: sudo apt-get update && sudo apt-get install -y --no-install-recommends docker-registry/,
    );
  });
});
