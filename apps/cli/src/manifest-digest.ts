// The manifest digest is computed where the manifest is validated (@hla-compass/manifest returns
// it from validateModule); re-exported for the CLI modules and tests that digest a document.
export { manifestDigest } from '@hla-compass/manifest';
