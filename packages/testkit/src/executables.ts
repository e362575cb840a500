// Finding a program on PATH without running it, so a missing one can be installed or reported
// before anything is started: the emulator's own finder, which it needs at run time for
// docker-registry and docker, from @hla-compass/local-registry.
export { findExecutable } from '@hla-compass/local-registry';
