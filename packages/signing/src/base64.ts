// Strict standard base64 (RFC 4648 §4, padded) for values that arrive on the wire: Buffer's own
// decoder skips junk characters, ignores padding and accepts the URL-safe alphabet, so several
// spellings would mean one key.

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * The decoded bytes, or undefined unless `text` is the one canonical spelling of them: decoding
 * leniently and requiring that encoding gives `text` back refuses every other spelling
 * (whitespace, missing padding, `-_`, non-zero unused bits as in "QR==" for "QQ==").
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  return encodeBase64(bytes) === text ? bytes : undefined;
}
