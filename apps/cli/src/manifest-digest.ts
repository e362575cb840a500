// The manifest digest is computed where the manifest is validated: validateModule returns it
// (readValidModule passes it on to build and publish). Re-exported here for the tests that
// digest a document the way build labels an image.
export { manifestDigest } from '@hla-compass/manifest';
