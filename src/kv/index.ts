/**
 * The kv stage: a repository of records in a shared, distributed key-value engine (etcd),
 * with strict semantics (the contract is in types.ts), its etcd adapter
 * (etcd-repository.ts), an in-memory one for tests, and the key layout (layout.ts).
 */
export * from './types.ts';
