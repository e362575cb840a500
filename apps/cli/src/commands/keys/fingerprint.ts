// One name for a key's fingerprint in every `keys` result: `fingerprint`, the platform-api
// contract's (SigningKey), as `keys list`, `keys register` and `keys revoke` print it from the
// platform. `keys init` and `keys show` also keep `keyFingerprint`, the name they printed first,
// so scripts written against it (`jq -r .keyFingerprint`) keep working.
import type { SdkSigningKey } from '../../signing-keys.js';

export function fingerprintFields<F extends string | null>(
  fingerprint: F,
): { fingerprint: F; keyFingerprint: F } {
  return { fingerprint, keyFingerprint: fingerprint };
}

export type PythonSdkKeyResult = SdkSigningKey & { readonly fingerprint: string };

/** The SDK's key as a result: `fingerprint` first, then its own fields (`sdkFingerprint` too). */
export function pythonSdkKeyResult(sdkKey: SdkSigningKey): PythonSdkKeyResult {
  return { fingerprint: sdkKey.keyFingerprint, ...sdkKey };
}
