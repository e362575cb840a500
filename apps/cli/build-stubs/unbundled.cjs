// Stands in, in the bundle, for what dockerode and docker-modem load but hla-compass never uses:
// gRPC for BuildKit sessions (builds use the classic builder) and ssh2 for ssh:// engines (refused
// before dockerode is reached). Loading it costs nothing; using it says why it is missing.
function missing(what) {
  return function unavailable() {
    throw new Error(`${what} is not part of the hla-compass bundle`);
  };
}
module.exports = new Proxy(
  {},
  { get: (_target, name) => (name === '__esModule' ? false : missing(String(name))) },
);
