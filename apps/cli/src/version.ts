// The CLI's version: injected by the bundler from package.json; source runs (tests) say so.
declare const __HLA_COMPASS_VERSION__: string | undefined;

export const CLI_VERSION: string =
  typeof __HLA_COMPASS_VERSION__ === 'string' ? __HLA_COMPASS_VERSION__ : '0.0.0-source';
