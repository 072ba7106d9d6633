/**
 * The server stage: the small HTTP server operators and Kubernetes talk to
 * (`/healthz`, `/readyz`, `/metrics`, `/debug/...`), and the narrow backend it serves
 * from. The server knows nothing about the controller: whoever runs it (the controller's
 * daemon) implements ServerBackend.
 */
export type { DebugBackend, DebugStore, ProbeResult, ServerBackend } from './types.ts';
export { StatusServer, type StatusServerOptions } from './server.ts';
export { parseListen, isLoopback, type ListenAddress } from './listen.ts';
export { allowEveryone, kubernetesAccess, type AccessCheck, type AccessDecision, type AccessRequest } from './access.ts';
export { redactObject, isSecret, maskSecretValues, REDACTED } from './redact.ts';
