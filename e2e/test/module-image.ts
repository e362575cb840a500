// The build-and-push most scenarios start from, done with the installed CLI and checked the way
// the golden path checks it: `build --json`, then `push --json` recording the registry's digest.
import { expect } from 'vitest';
import { type UserMachine, world } from './user-machine.js';

export interface PushedImage {
  /** `HOST/NAMESPACE/NAME:VERSION`, the tag that was built and pushed. */
  readonly imageRef: string;
  /** `HOST/NAMESPACE/NAME` */
  readonly repository: string;
  readonly digest: string;
}

/** `hla-compass build --base-image <local base> --registry NAMESPACE`, then `hla-compass push`. */
export async function buildAndPush(
  machine: UserMachine,
  moduleDir: string,
  namespace: string,
): Promise<PushedImage> {
  const build = await machine.hlaCompass(
    ['build', '--base-image', world.baseImage, '--registry', namespace, '--json'],
    { cwd: moduleDir },
  );
  expect(build.stderr).not.toMatch(/^error/m);
  expect(build.code).toBe(0);
  const built = JSON.parse(build.stdout) as { imageRef: string; pushed: boolean };
  expect(built.pushed).toBe(false);

  const push = await machine.hlaCompass(['push', '--json'], { cwd: moduleDir });
  expect(push.stderr).not.toMatch(/^error/m);
  expect(push.code).toBe(0);
  const pushed = JSON.parse(push.stdout) as PushedImage & { recorded: boolean };
  expect(pushed).toMatchObject({ imageRef: built.imageRef, recorded: true });
  expect(pushed.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  return { imageRef: pushed.imageRef, repository: pushed.repository, digest: pushed.digest };
}
