/** The postgres backend: PostgresRepository over the `postgres` client (repository.ts), connected with PostgresOptions. */
import type { KvBackend } from '../backend.ts';
import type { PostgresOptions } from './options.ts';
import { connectPostgres } from './repository.ts';

export { connectPostgres, PostgresRepository, POSTGRES_REPOSITORY_DEFAULTS } from './repository.ts';
export type { PostgresOptions } from './options.ts';

/** The `postgres` kv backend. */
export const postgresKvBackend: KvBackend<PostgresOptions> = Object.freeze<KvBackend<PostgresOptions>>({
  name: 'postgres',
  connect: (settings, logger) => connectPostgres(settings, logger),
});
