// zod compiles a parser (`new Function`) for each object schema the first time it parses with it,
// and reads whether to when the schema is built. A CLI process parses each schema once or twice
// and then ends: the compile cost more than it saved (issue 18). main.ts loads this before
// program.js, so before any module that builds a schema. The emulator, a long-lived server,
// keeps the JIT.
import { config } from 'zod';

config({ jitless: true });
