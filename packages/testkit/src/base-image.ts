// A base image for test builds, made without any pull (no registry is reachable): this
// machine's /bin/sh and its shared libraries, imported into the engine as one layer.
import { ensureImportedImage, sharedLibraries, tar } from './imported-image.js';

export { parseLddOutput } from './imported-image.js';

const SERVICE = 'The test base image';
const SHELL = '/bin/sh';

/** The tag tests pass to `hla-compass build --base-image`. */
export const BASE_IMAGE_TAG = 'hla-compass-test/base:1';

/**
 * Makes `tag` exist in the engine at `dockerHost` and returns its image id: a no-op when it is
 * there, else `docker import` (through the engine API) of a tar holding /bin/sh and the
 * libraries `ldd /bin/sh` names. Needs a Linux host, as the files go into a Linux image.
 */
export function ensureBaseImage(dockerHost: string, tag: string = BASE_IMAGE_TAG): Promise<string> {
  return ensureImportedImage(dockerHost, tag, {
    service: SERVICE,
    madeFrom: `this machine's ${SHELL}`,
    async writeArchive(archive) {
      const files = [SHELL, ...(await sharedLibraries([SHELL]))];
      // -h stores what symlinks point to (/bin/sh → dash, merged /usr), so the image needs no links.
      await tar(SERVICE, [
        '-c',
        '-h',
        '-f',
        archive,
        '-C',
        '/',
        ...files.map((file) => file.slice(1)),
      ]);
      return undefined;
    },
  });
}
