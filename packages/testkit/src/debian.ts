// Debian packages a test service needs, installed with apt when we may (root on Debian),
// one installer at a time across the test processes that run at once; else a precise error.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { ServiceUnavailableError } from './service-unavailable.js';

const run = promisify(execFile);

/** flock(1) on this file serializes installs between concurrent test processes. */
export const APT_LOCK_PATH = '/tmp/hla-compass-apt.lock';
/** Touched after `apt-get update`, which then runs at most once an hour. */
const APT_UPDATED_STAMP = '/tmp/hla-compass-apt.updated';
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/** Package names go to a shell script as arguments; anything but a plain name is refused. */
function assertPackageNames(packages: readonly string[]): void {
  const invalid = packages.find((name) => !PACKAGE_NAME.test(name));
  if (invalid !== undefined) throw new Error(`"${invalid}" is not a Debian package name`);
}

export interface DebianPackageOptions {
  /** What needs the packages, in words: it starts the error message. */
  readonly reason: string;
}

export interface DebianHost {
  readonly root: boolean;
  readonly debian: boolean;
}

export function currentDebianHost(): DebianHost {
  return { root: process.getuid?.() === 0, debian: existsSync('/etc/debian_version') };
}

/** The command a person runs to install the packages. */
export function aptInstallCommand(packages: readonly string[]): string {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** Why the packages cannot be installed here, or undefined when this process may install them. */
export function installRefusal(
  missing: readonly string[],
  host: DebianHost,
  reason: string,
): string | undefined {
  if (host.root && host.debian) return undefined;
  const why = host.debian
    ? 'this process is not root, so it will not install them'
    : 'this is not a Debian system, so they cannot be installed with apt';
  return (
    `${reason} needs the Debian package(s) ${missing.join(', ')}, which are not installed; ${why}. ` +
    `On Debian or Ubuntu run: ${aptInstallCommand(missing)}. ` +
    'Elsewhere, install the equivalent programs and put them on PATH.'
  );
}

type Environment = Readonly<Record<string, string | undefined>>;

/** The packages dpkg does not list as installed (all of them where there is no dpkg). */
export async function missingDebianPackages(
  packages: readonly string[],
  env: Environment = process.env,
): Promise<string[]> {
  const missing: string[] = [];
  for (const name of packages) {
    try {
      const { stdout } = await run('dpkg-query', ['-W', `-f=\${Status}`, name], { env });
      if (!stdout.includes('install ok installed')) missing.push(name);
    } catch {
      missing.push(name);
    }
  }
  return missing;
}

// Runs under the lock: re-checks (another process may have just installed them), refreshes
// the package lists at most hourly, and refreshes once more if the install fails on stale lists.
const INSTALL_SCRIPT = `
set -e
missing=""
for p in "$@"; do
  dpkg-query -W -f='\${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ ! -f "$STAMP" ] || [ -n "$(find "$STAMP" -mmin +60)" ]; then
  apt-get update -qq && touch "$STAMP"
fi
install() { apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 $missing; }
install || { apt-get update -qq && touch "$STAMP" && install; }
`;

export interface AptInstallOptions extends DebianPackageOptions {
  /** Environment of dpkg-query and apt-get (default: process.env). */
  readonly env?: Environment;
  readonly lockPath?: string;
  readonly stampPath?: string;
}

/**
 * Installs the packages with apt-get under an flock, so concurrent test processes install
 * one at a time and later ones find the work done. Needs root; callers check first.
 */
export async function installDebianPackages(
  packages: readonly string[],
  options: AptInstallOptions,
): Promise<void> {
  assertPackageNames(packages);
  const env = options.env ?? process.env;
  const lockPath = options.lockPath ?? APT_LOCK_PATH;
  try {
    await run('flock', ['-w', '900', lockPath, 'sh', '-c', INSTALL_SCRIPT, 'sh', ...packages], {
      env: {
        ...env,
        DEBIAN_FRONTEND: 'noninteractive',
        STAMP: options.stampPath ?? APT_UPDATED_STAMP,
      },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const output = (error as { stderr?: string }).stderr ?? '';
    const tail = output.trim().split('\n').slice(-15).join('\n');
    throw new ServiceUnavailableError(
      options.reason,
      `installing ${packages.join(', ')} with apt-get failed${tail ? `:\n${tail}` : ''}\nTry by hand: ${aptInstallCommand(packages)}`,
    );
  }
  const stillMissing = await missingDebianPackages(packages, env);
  if (stillMissing.length > 0) {
    throw new ServiceUnavailableError(
      options.reason,
      `apt-get ran but ${stillMissing.join(', ')} is still not installed; try: ${aptInstallCommand(stillMissing)}`,
    );
  }
}

/**
 * Makes sure the Debian packages are installed: installs the missing ones as root on Debian
 * (`apt-get install -y --no-install-recommends`, serialized with flock), and otherwise
 * throws ServiceUnavailableError saying how to install them.
 */
export async function ensureDebianPackages(
  packages: readonly string[],
  options: DebianPackageOptions,
): Promise<void> {
  assertPackageNames(packages);
  const missing = await missingDebianPackages(packages);
  if (missing.length === 0) return;
  const refusal = installRefusal(missing, currentDebianHost(), options.reason);
  if (refusal !== undefined) throw new ServiceUnavailableError(options.reason, refusal);
  await installDebianPackages(missing, options);
}
