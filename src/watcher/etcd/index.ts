/** The etcd source: watched resources read from what informant publishers wrote into etcd. */
export { DEFAULTS, EtcdSource, type EtcdSourceOptions } from './etcd-source.ts';
