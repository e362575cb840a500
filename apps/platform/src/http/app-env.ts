// The Hono environment every handler of the emulator sees.
import type { HttpBindings } from '@hono/node-server';

export interface AppEnv {
  Bindings: HttpBindings;
  Variables: { requestId: string };
}
