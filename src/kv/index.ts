/**
 * The kv stage: a repository of records in a shared key-value store, with strict
 * semantics (the contract is in types.ts), one folder per backend (etcd/, postgres/,
 * memory/, each with a KvBackend: backend.ts), shared connections, and the key layout
 * (layout.ts). It imports nothing of the config: backends take plain settings.
 */
export * from './types.ts';
