// Secrets the platform must read back (registry pull passwords) sealed at rest with AES-256-GCM
// under a key kept beside the databases, 0600; each sealed value is bound to its row, so a
// ciphertext copied onto another row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, writeSync } from 'node:fs';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const PREFIX = 'aes256gcm:v1:';

export class SecretBox {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  /** A key that lives as long as the process (`--memory`: nothing outlives it anyway). */
  static inMemory(): SecretBox {
    return new SecretBox(randomBytes(KEY_BYTES));
  }

  /** The key in `file`, created (0600, whatever the umask) on first use. */
  static fromKeyFile(file: string): SecretBox {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, randomBytes(KEY_BYTES));
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    chmodSync(file, 0o600);
    const key = readFileSync(file);
    if (key.length !== KEY_BYTES) {
      throw new Error(
        `${file} is not a ${KEY_BYTES}-byte key (it is ${key.length} bytes): restore it, or start over with another --data directory`,
      );
    }
    return new SecretBox(key);
  }

  static isSealed(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  /** `context` names the row the secret belongs to (its table and id). */
  seal(secret: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([
      cipher.update(secret, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${PREFIX}${iv.toString('base64url')}.${sealed.toString('base64url')}`;
  }

  /** Throws when the value was sealed under another key or for another row, or was altered. */
  open(value: string, context: string): string {
    const [iv, sealed] = value.slice(PREFIX.length).split('.');
    if (!SecretBox.isSealed(value) || iv === undefined || sealed === undefined) {
      throw new Error(`a stored secret of ${context} is not sealed`);
    }
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    try {
      return Buffer.concat([
        decipher.update(bytes.subarray(0, bytes.length - 16)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new Error(
        `a stored secret of ${context} does not open with this data directory's key file: was secrets.key replaced?`,
      );
    }
  }
}
