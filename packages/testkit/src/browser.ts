// A real browser for the console's tests: Debian's `chromium`, installed with apt when missing
// (as root on Debian), else a ServiceUnavailableError saying how to get it; nothing skips.
import { ensureDebianPackages } from './debian.js';
import { findExecutable } from './executables.js';
import { ServiceUnavailableError } from './service-unavailable.js';

const SERVICE = 'The test browser (Debian chromium)';

export interface TestBrowser {
  /** The chromium program, for playwright-core's `chromium.launch({ executablePath })`. */
  readonly executablePath: string;
  /** Launch arguments: no sandbox as root (chromium refuses to start otherwise), no network chatter. */
  readonly args: readonly string[];
}

/**
 * Switches off what chromium fetches on its own (updates, sync, safe browsing, field trials),
 * and resolves no name but `localhost` and `127.0.0.1`, so the browser cannot reach any other host.
 */
export const QUIET_CHROMIUM_ARGUMENTS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-field-trial-config',
  '--no-first-run',
  '--no-default-browser-check',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
] as const;

export async function ensureChromium(): Promise<TestBrowser> {
  let executablePath = await findExecutable('chromium');
  if (executablePath === undefined) {
    await ensureDebianPackages(['chromium'], { reason: SERVICE });
    executablePath = await findExecutable('chromium');
  }
  if (executablePath === undefined) {
    throw new ServiceUnavailableError(
      SERVICE,
      'the chromium package is installed but chromium is not on PATH',
    );
  }
  const root = process.getuid?.() === 0;
  return {
    executablePath,
    args: [...(root ? ['--no-sandbox'] : []), ...QUIET_CHROMIUM_ARGUMENTS],
  };
}
