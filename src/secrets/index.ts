/**
 * Secret data: what it is (core/v1 Secrets and the watched resources that hold them) and
 * how texts that may contain it are masked before anyone sees them.
 */
export { holdsSecrets, isSecret, secretValues } from './secret-data.ts';
export { maskSecretValues, REDACTED, SecretMask } from './mask.ts';
