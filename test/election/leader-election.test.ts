import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LeaderElector, microTime } from '../../src/election/leader-election.ts';
import { ApiLeaseClient, LeaseError, type LeaseClient } from '../../src/election/lease-client.ts';
import { silentLogger } from '../../src/log.ts';
import { createApiClient, type HttpApiClient } from '../../src/kube/index.ts';
import { TestApiServer } from '../support/apiserver/index.ts';
import { eventually } from '../support/waiters.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { tempDir, writeKubeconfig } from '../kube/support/kubeconfig-file.ts';

/** Small durations on a fake clock: 3 s lease, 2 s renew deadline, 1 s retry period. */
const TIMING = Object.freeze({ leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 1_000 });
const NAMESPACE = 'infra';

let server: TestApiServer;
let kubeconfig: string;
let cleanup: () => void;
const clients: HttpApiClient[] = [];

before(async () => {
  server = await TestApiServer.start({ token: 'lease-token' });
  const dir = tempDir();
  cleanup = dir.cleanup;
  kubeconfig = writeKubeconfig(dir.dir, server.url, { token: 'lease-token' });
});
after(async () => {
  for (const client of clients) client.close();
  await server.close();
  cleanup();
});

/** A LeaseClient that can be cut off, as a replica that crashed or lost the network. */
class Severable implements LeaseClient {
  readonly description: string;
  severed = false;
  readonly #inner: LeaseClient;
  constructor(inner: LeaseClient) {
    this.#inner = inner;
    this.description = inner.description;
  }
  #check(): void {
    if (this.severed) throw new LeaseError('connect ECONNREFUSED (severed by the test)');
  }
  async get() {
    this.#check();
    return this.#inner.get();
  }
  async create(spec: Parameters<LeaseClient['create']>[0]) {
    this.#check();
    return this.#inner.create(spec);
  }
  async update(lease: Parameters<LeaseClient['update']>[0]) {
    this.#check();
    return this.#inner.update(lease);
  }
}

function replica(name: string, lease: string, clock: FakeClock) {
  const api = createApiClient({ kubeconfig });
  clients.push(api);
  const client = new Severable(new ApiLeaseClient(api, NAMESPACE, lease));
  const changes: Array<{ leading: boolean; at: number }> = [];
  const elector = new LeaderElector({
    client,
    identity: name,
    ...TIMING,
    clock,
    logger: silentLogger(),
    onChange: (leading) => changes.push({ leading, at: clock.now() }),
  });
  return { elector, client, changes };
}

/** Moves the shared clock one retry period and waits until every running elector has tried again. */
async function step(clock: FakeClock, electors: LeaderElector[]): Promise<void> {
  const before = electors.map((e) => e.attempts);
  clock.advance(TIMING.retryPeriodMs);
  await eventually(() => electors.every((e, i) => e.attempts > before[i]!), 'every elector tried again');
}

function holder(lease: string): string | undefined {
  return (server.get('leases', NAMESPACE, lease)?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
}

describe('LeaderElector against the test API server', () => {
  test('exactly one of two replicas starting together leads; the other follows', async () => {
    const clock = new FakeClock();
    const a = replica('a', 'together', clock);
    const b = replica('b', 'together', clock);
    a.elector.start();
    b.elector.start();
    await eventually(() => a.elector.attempts > 0 && b.elector.attempts > 0, 'both tried');
    for (let i = 0; i < 3; i++) await step(clock, [a.elector, b.elector]);
    assert.equal([a.elector.isLeader, b.elector.isLeader].filter(Boolean).length, 1);
    const leader = a.elector.isLeader ? 'a' : 'b';
    assert.equal(holder('together'), leader);
    await a.elector.stop();
    await b.elector.stop();
  });

  test('the follower takes over within lease duration plus retry period after the leader stops renewing', async () => {
    const clock = new FakeClock();
    const a = replica('a', 'crash', clock);
    const b = replica('b', 'crash', clock);
    a.elector.start();
    await eventually(() => a.elector.isLeader, 'a leads');
    b.elector.start();
    await eventually(() => b.elector.attempts > 0, 'b tried');
    for (let i = 0; i < 3; i++) await step(clock, [a.elector, b.elector]);
    assert.equal(b.elector.isLeader, false, 'b follows while a renews');
    const lease = server.get('leases', NAMESPACE, 'crash')!.spec as Record<string, unknown>;
    assert.equal(lease.holderIdentity, 'a');
    assert.equal(lease.leaseDurationSeconds, 3);
    assert.match(String(lease.renewTime), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/, 'a MicroTime');

    a.client.severed = true; // a can no longer reach the API server
    const stoppedAt = clock.now();
    while (!b.elector.isLeader) {
      await step(clock, [a.elector, b.elector]);
      assert.ok(clock.now() - stoppedAt <= TIMING.leaseDurationMs + TIMING.retryPeriodMs, `b took over late (${clock.now() - stoppedAt} ms)`);
    }
    const tookOver = b.changes.at(-1)!;
    assert.ok(tookOver.at - stoppedAt >= TIMING.leaseDurationMs - TIMING.retryPeriodMs, 'no takeover before the lease could expire');
    const steppedDown = a.changes.at(-1)!;
    assert.deepEqual([steppedDown.leading, a.elector.isLeader], [false, false], 'a stepped down after its renew deadline');
    assert.ok(steppedDown.at <= tookOver.at, 'never two leaders at once');
    assert.equal(holder('crash'), 'b');
    assert.equal((server.get('leases', NAMESPACE, 'crash')!.spec as { leaseTransitions: number }).leaseTransitions, 1);
    await a.elector.stop();
    await b.elector.stop();
  });

  test('stop releases the lease, so the follower takes over at its next try', async () => {
    const clock = new FakeClock();
    const a = replica('a', 'release', clock);
    const b = replica('b', 'release', clock);
    a.elector.start();
    await eventually(() => a.elector.isLeader, 'a leads');
    b.elector.start();
    await eventually(() => b.elector.attempts > 0, 'b tried');
    await step(clock, [a.elector, b.elector]);
    await a.elector.stop();
    assert.deepEqual(a.changes.map((c) => c.leading), [true, false]);
    assert.equal(holder('release') ?? '', '', 'released');
    await step(clock, [b.elector]);
    assert.equal(b.elector.isLeader, true);
    assert.equal(holder('release'), 'b');
    await b.elector.stop();
  });

  test('a leader that cannot renew steps down after the renew deadline and leads again once it can', async () => {
    const clock = new FakeClock();
    const a = replica('a', 'flaky', clock);
    a.elector.start();
    await eventually(() => a.elector.isLeader, 'a leads');
    a.client.severed = true;
    await step(clock, [a.elector]);
    assert.equal(a.elector.isLeader, true, 'one failed renewal is tolerated');
    await step(clock, [a.elector]);
    assert.equal(a.elector.isLeader, false, 'stepped down after 2 s without renewal');
    assert.match(a.elector.state().lastError ?? '', /ECONNREFUSED/);
    a.client.severed = false;
    await step(clock, [a.elector]);
    assert.equal(a.elector.isLeader, true, 'its own lease: renewed at once');
    assert.equal(a.elector.state().transitions, 2);
    await a.elector.stop();
  });
});

describe('microTime', () => {
  test('formats Kubernetes MicroTime with six fractional digits', () => {
    assert.equal(microTime(Date.UTC(2025, 0, 2, 3, 4, 5, 678)), '2025-01-02T03:04:05.678000Z');
  });
});
