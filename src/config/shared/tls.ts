/** Client TLS settings, as every shared-store backend that speaks TLS writes them. */
import type { z } from 'zod';
import { mapping, text } from '../fields.ts';

/** TLS settings as validated (paths as written). */
export interface TlsFiles {
  ca_file?: string | undefined;
  cert_file?: string | undefined;
  key_file?: string | undefined;
}

/** `tls: {ca_file, cert_file, key_file}` towards `server`. */
export function tlsSettings(server: string, description: string) {
  return mapping(
    {
      ca_file: text(`CA bundle that signed the ${server} server certificates, relative to the config file.`).optional(),
      cert_file: text('Client certificate, relative to the config file; needs key_file.').optional(),
      key_file: text('Private key of the client certificate, relative to the config file; needs cert_file.').optional(),
    },
    description,
  );
}

/** A certificate needs its key and a key its certificate. */
export function checkTlsPair(tls: unknown, ctx: z.RefinementCtx): void {
  if (tls === null || typeof tls !== 'object') return;
  const { cert_file: cert, key_file: key } = tls as TlsFiles;
  if (cert !== undefined && key === undefined) {
    ctx.addIssue({ code: 'custom', path: ['tls', 'cert_file'], message: 'needs key_file (the private key of this certificate)', params: { at: 'key' } });
  }
  if (key !== undefined && cert === undefined) {
    ctx.addIssue({ code: 'custom', path: ['tls', 'key_file'], message: 'needs cert_file (the certificate of this key)', params: { at: 'key' } });
  }
}
