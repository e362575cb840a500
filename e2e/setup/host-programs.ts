// The programs the scenarios need on this machine besides Node: the Docker CLI (and with it dockerd),
// docker-registry and htpasswd. Missing ones are installed in one apt run when we may (root on
// Debian); elsewhere each service says what to install when it cannot start.
import {
  aptInstallCommand,
  currentDebianHost,
  ensureDebianPackages,
  findExecutable,
  ServiceUnavailableError,
} from '@hla-compass/testkit';

const PROGRAMS = [
  { program: 'docker', debianPackage: 'docker.io' },
  { program: 'docker-registry', debianPackage: 'docker-registry' },
  { program: 'htpasswd', debianPackage: 'apache2-utils' },
] as const;

/** The Debian packages it installed (none when nothing was missing, or apt may not be used). */
export async function installMissingPrograms(): Promise<string[]> {
  const missing: string[] = [];
  for (const { program, debianPackage } of PROGRAMS) {
    if ((await findExecutable(program)) === undefined) missing.push(debianPackage);
  }
  const host = currentDebianHost();
  if (missing.length === 0 || !host.root || !host.debian) return [];
  // One apt run instead of one per service: testkit would install them one by one, under a lock.
  await ensureDebianPackages(missing, { reason: 'The end-to-end suites' });
  return missing;
}

/** The Docker CLI: the scenarios push and pull with it as users do without hla-compass. */
export async function dockerCli(): Promise<string> {
  const docker = await findExecutable('docker');
  if (docker === undefined) {
    throw new ServiceUnavailableError(
      'The Docker CLI',
      `docker is not on PATH. Install Docker (Docker Desktop, or on Debian/Ubuntu: ${aptInstallCommand(['docker.io'])})`,
    );
  }
  return docker;
}
