/**
 * @module seal
 * AES-256-GCM sealing of small values with keys derived from SECRET_KEY_BASE. The associated
 * data binds a sealed value to where it belongs (e.g. its settings row), so a value copied to
 * another row or purpose does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const FORMAT = 'v1';

/** HKDF is deterministic and costs more than a lookup; requests derive the same few keys. */
const derivedKeys = new Map<string, Buffer>();

/**
 * A 256-bit key for one purpose; different purposes never share a key.
 *
 * @example
 * const key = deriveKey(secretKeyBase, 'integration secrets')
 * const sealed = seal(key, 'xoxb-token', 'integration:slack:project:7')
 * unseal(key, sealed, 'integration:slack:project:7') // 'xoxb-token'
 * unseal(key, sealed, 'integration:slack:project:8') // null
 */
export function deriveKey(secretKeyBase: string, purpose: string): Buffer {
  const id = `${purpose}\0${secretKeyBase}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secretKeyBase, 'cascade', purpose, 32));
    derivedKeys.set(id, key);
  }
  return key;
}

export function seal(key: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associatedData));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${FORMAT}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

/** The plaintext, or null if the value was tampered with, sealed for other data, or with another key. */
export function unseal(key: Buffer, sealed: string, associatedData: string): string | null {
  const [format, payload] = sealed.split('.');
  if (format !== FORMAT || !payload) return null;
  const bytes = Buffer.from(payload, 'base64url');
  if (bytes.length < 28) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
