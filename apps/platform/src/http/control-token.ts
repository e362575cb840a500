// The per-start secret of the /_emulator control routes: whoever can read the emulator's start
// banner (or chose the secret with HLA_COMPASS_EMULATOR_TOKEN) may reset and seed it; a web page
// or another local user who cannot read that output may not.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export const CONTROL_TOKEN_HEADER = 'X-Emulator-Token';
export const CONTROL_TOKEN_ENV = 'HLA_COMPASS_EMULATOR_TOKEN';

const CONTROL_TOKEN_PATTERN = /^[A-Za-z0-9._~-]{32,256}$/;

export function newControlToken(): string {
  return `hlc_emu_${randomBytes(32).toString('base64url')}`;
}

/** Why a chosen token cannot be used, or null. */
export function controlTokenProblem(token: string): string | null {
  return CONTROL_TOKEN_PATTERN.test(token)
    ? null
    : `${CONTROL_TOKEN_ENV} must be 32 to 256 characters of A-Z a-z 0-9 . _ ~ -`;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Compares in constant time: hashing first gives both sides one length, whatever was sent. */
export function isControlToken(sent: string | undefined, token: string): boolean {
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}
