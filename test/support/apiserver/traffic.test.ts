import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestApiServer } from './index.ts';
import { requestJson } from './raw-client.ts';

describe('TestApiServer counts its traffic', () => {
  let server: TestApiServer;
  before(async () => {
    server = await TestApiServer.start();
  });
  after(() => server.close());

  test('bytesSent grows by at least the body of every answer, and requests records each one', async () => {
    const before = server.bytesSent;
    const requestsBefore = server.requests.length;
    const first = await requestJson(`${server.url}/api/v1/namespaces/default/configmaps`);
    const second = await requestJson(`${server.url}/api/v1/namespaces/default/configmaps`);
    const bodies = JSON.stringify(first.body).length + JSON.stringify(second.body).length;
    assert.ok(server.bytesSent - before >= bodies, `${server.bytesSent - before} bytes sent for ${bodies} bytes of bodies`);
    assert.equal(server.requests.length - requestsBefore, 2);
  });
});
