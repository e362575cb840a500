// What a failed signature verification says, the same for every signature the platform takes:
// a stable reason for programs and a message for people.

export type VerificationFailureReason =
  | 'unsigned'
  | 'missing_fields'
  | 'unsupported_algorithm'
  | 'malformed_signature'
  | 'malformed_public_key'
  | 'fingerprint_mismatch'
  | 'bad_signature';

export interface VerificationFailure {
  readonly valid: false;
  readonly reason: VerificationFailureReason;
  readonly message: string;
}

export function verificationFailure(
  reason: VerificationFailureReason,
  message: string,
): VerificationFailure {
  return { valid: false, reason, message };
}

/** A received value as a message quotes it: strings shortened, anything else by its type. */
export function describeWireValue(value: unknown): string {
  if (typeof value !== 'string') return `(${value === null ? 'null' : typeof value})`;
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}
