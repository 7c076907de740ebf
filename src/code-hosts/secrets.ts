/**
 * @module code-hosts/secrets
 * The secrets of a connection (its access token, the hooks' secret, the sign-in application's
 * secret), sealed with a key of their own and bound to the connection's URL: a secret sealed
 * for one host does not open once the URL points elsewhere, so changing the URL needs the
 * secrets entered again and a token is never sent to a host its administrator did not choose.
 */
import type { CodeHost } from '../db/schema.js';
import { deriveKey, seal, unseal } from '../seal.js';

export type HostSecretField = 'token' | 'hookSecret' | 'oidcClientSecret';

/**
 * @example
 * const secrets = new HostSecrets(secretKeyBase)
 * const sealed = secrets.seal('https://gitlab.example.com', 'token', 'glpat-…')
 * secrets.open({ url: 'https://gitlab.example.com', token: sealed }, 'token') // 'glpat-…'
 * secrets.open({ url: 'https://elsewhere.example', token: sealed }, 'token') // null
 */
export class HostSecrets {
  private readonly key: Buffer;

  constructor(secretKeyBase: string) {
    this.key = deriveKey(secretKeyBase, 'code host secrets');
  }

  seal(url: string, field: HostSecretField, value: string): string {
    return seal(this.key, value, `${field}:${url}`);
  }

  /** The secret, or null when none is set or it was sealed for another URL or key. */
  open(host: Pick<CodeHost, 'url'> & Partial<Pick<CodeHost, HostSecretField>>, field: HostSecretField): string | null {
    const sealed = host[field];
    return sealed ? unseal(this.key, sealed, `${field}:${host.url}`) : null;
  }
}
