/**
 * TLS Secrets in templates. A Secret of type kubernetes.io/tls is written by a tenant (or
 * cert-manager for one): its `tls.crt` and `tls.key` may be missing, not base64, not PEM,
 * or a key that does not belong to the certificate. A proxy handed such a file refuses its
 * whole configuration, so templates check a Secret before they use it, and write only what
 * node:crypto (OpenSSL, as the proxy) parsed:
 *
 * - `tls_problem(secret)`: "" when `tls.crt` holds one or more PEM certificates and
 *   `tls.key` a PEM private key (not encrypted) that belongs to the first certificate; else
 *   why not, in one line that never quotes the Secret's data.
 * - `secret | tls_pem`: the certificates followed by the key, as PEM text re-encoded from
 *   what was parsed (so nothing but certificates and a key can reach the file: no comment,
 *   no directive, no other text of the Secret), marked safe for `escape: line` (PEM spans
 *   lines). A Secret with a problem fails the render with that problem.
 *
 * Results are cached per Secret object (objects are immutable; a changed Secret is a new
 * object), so templates may check the same Secret in several places cheaply.
 */
import { Buffer } from 'node:buffer';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import nunjucks from 'nunjucks';
import { FilterError } from './errors.ts';
import { isPlaceholder } from './placeholder.ts';

/** A PEM certificate block. */
const CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Parsed = { pem: string } | { problem: string };

const parsed = new WeakMap<object, Parsed>();

/** tls_problem(secret): "" or why the Secret cannot be used for TLS (see the module comment). */
function tlsProblem(secret?: unknown): string {
  if (isPlaceholder(secret)) return '';
  const result = parse(secret);
  return 'problem' in result ? result.problem : '';
}

/** secret | tls_pem: the PEM file of a TLS Secret (see the module comment). */
function tlsPem(secret: unknown): unknown {
  if (isPlaceholder(secret)) return secret;
  const result = parse(secret);
  if ('problem' in result) throw new FilterError('tls_pem', result.problem);
  return new nunjucks.runtime.SafeString(result.pem);
}

function parse(secret: unknown): Parsed {
  if (secret === null || typeof secret !== 'object') return { problem: 'not a Secret' };
  let result = parsed.get(secret);
  if (result === undefined) {
    result = parseSecret(secret as { data?: Record<string, unknown> });
    parsed.set(secret, result);
  }
  return result;
}

function parseSecret(secret: { data?: Record<string, unknown> }): Parsed {
  const crt = decoded(secret.data?.['tls.crt'], 'tls.crt');
  if (typeof crt !== 'string') return crt;
  const key = decoded(secret.data?.['tls.key'], 'tls.key');
  if (typeof key !== 'string') return key;
  const blocks = crt.match(CERTIFICATE) ?? [];
  if (blocks.length === 0) return { problem: 'tls.crt holds no PEM certificate' };
  const certificates: X509Certificate[] = [];
  for (const [index, block] of blocks.entries()) {
    try {
      certificates.push(new X509Certificate(block));
    } catch {
      return { problem: `certificate ${index + 1} of tls.crt does not parse` };
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key, format: 'pem' });
  } catch {
    return { problem: 'tls.key holds no PEM private key (or an encrypted one)' };
  }
  if (!certificates[0]!.checkPrivateKey(privateKey)) return { problem: 'tls.key does not belong to the first certificate of tls.crt' };
  const pem = certificates.map((certificate) => ensureNewline(certificate.toString())).join('') + ensureNewline(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return { pem };
}

/** The text of a base64 data field, or the problem with it. */
function decoded(value: unknown, field: string): string | { problem: string } {
  if (value === undefined || value === null || value === '') return { problem: `no ${field}` };
  if (typeof value !== 'string') return { problem: `${field} is not text` };
  const text = value.replace(/\s+/g, '');
  if (!BASE64.test(text) || text.length % 4 !== 0) return { problem: `${field} is not valid base64` };
  return Buffer.from(text, 'base64').toString('latin1');
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The TLS filters by the name templates use. */
export const TLS_FILTERS: Readonly<Record<string, (value: unknown, ...args: unknown[]) => unknown>> = Object.freeze({ tls_pem: tlsPem });

/** The TLS functions by the name templates call them. */
export const TLS_GLOBALS: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.freeze({ tls_problem: tlsProblem });
