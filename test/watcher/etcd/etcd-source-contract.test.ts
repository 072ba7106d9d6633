/**
 * The Source contract over an EtcdSource reading the in-memory repository, objects written
 * under the key layout as a publisher writes them.
 */
import { MemoryRepository } from '../../../src/kv/memory-repository.ts';
import { runSourceContract } from '../source-contract.ts';
import { contractHarness, PREFIX } from './helpers.ts';

runSourceContract('EtcdSource over the in-memory repository', async () => contractHarness(new MemoryRepository(), { prefix: PREFIX }));
