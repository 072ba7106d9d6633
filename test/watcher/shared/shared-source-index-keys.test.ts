/**
 * The index-keys contract over a SharedSource reading the in-memory repository, objects written
 * under the key layout as a publisher writes them.
 */
import { MemoryRepository } from '../../../src/kv/memory/repository.ts';
import { runIndexKeysContract } from '../index-keys-contract.ts';
import { contractHarness, PREFIX } from './helpers.ts';

runIndexKeysContract('SharedSource over the in-memory repository', async () => contractHarness(new MemoryRepository(), { prefix: PREFIX }));
