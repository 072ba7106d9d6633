/**
 * A controller behind a real StatusServer, in the state the status page (/debug/ui) is
 * tested in: two resources (one with a watch problem whose message carries markup), an
 * output changed once (so it has a diff), a for_each template (one file per Service), one
 * template that reads Secrets (withheld), one whose validate fails, and a Service whose
 * name is a <script> element: tenant data that must show as text.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config/index.ts';
import { Controller } from '../../../src/controller/controller.ts';
import { HealthCheck } from '../../../src/controller/health.ts';
import { controllerBackend } from '../../../src/daemon/server-backend.ts';
import { silentLogger } from '../../../src/log.ts';
import { StatusServer, type AccessCheck } from '../../../src/server/index.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { ScriptedSource, service } from '../../controller/support/scripted-source.ts';

/** The Service name that would run a script if the page did not escape it. */
export const EVIL_NAME = '<script>document.title="pwned"</script>';
/** The watch problem message, markup too. */
export const EVIL_PROBLEM = 'forbidden: <img src=x onerror="document.title=\'pwned\'">';

const CONFIG = `
watched_resources:
  services: {api_version: v1, kind: Service}
  secrets: {api_version: v1, kind: Secret}
source:
  files: {path: manifests}
templates:
  site:
    inline: "{% for s in resources.services %}{{ s.metadata.name }}:{{ s.spec.ports[0].port }}\\n{% endfor %}"
    output: out/site.txt
    escape: none
  tls:
    inline: "{% for t in resources.secrets %}{{ t.data['tls.key'] }}{% endfor %}"
    output: out/tls.txt
  checked:
    inline: "{{ resources.services | length }}"
    output: out/checked.txt
    validate: ["false"]
  ports:
    inline: "{{ object.spec.ports[0].port }}"
    for_each: services
    output: "out/ports/{{ object.metadata.name }}.txt"
render: {debounce: 100ms, max_wait: 1s}
`;

export interface StatusPageFixture {
  url: string;
  close(): Promise<void>;
}

/** Starts the fixture (see the module comment); `access` guards /debug/ as server.auth would. */
export async function statusPageFixture(options: { access?: AccessCheck } = {}): Promise<StatusPageFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'informant-status-page-'));
  const config = parseConfig(`${CONFIG}server: {listen: "127.0.0.1:0", debug: true}\n`, join(dir, 'config.yaml'));
  const clock = new FakeClock();
  clock.advance(Date.UTC(2026, 11, 6, 19, 30)); // clock times shown as dates
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'shop', name: 'tls', uid: 'uid-tls', resourceVersion: '1' }, data: { 'tls.key': 'c2VjcmV0' } };
  const source = new ScriptedSource({ services: [service('shop', 'web', 80), service('shop', EVIL_NAME, 81)], secrets: [secret] });
  const controller = new Controller({ config, logger: silentLogger(), watch: true, clock, createSource: () => source });
  const backend = controllerBackend(controller, { health: new HealthCheck({ clock }), election: () => undefined });
  const server = await StatusServer.start({ listen: config.server.listen!, backend, logger: silentLogger(), ...(options.access ? { access: options.access } : {}) });
  const render = async (): Promise<void> => {
    clock.advance(1_000);
    await controller.idle();
  };
  await controller.start();
  await render();
  source.add('services', service('shop', 'web', 8080, '2'));
  source.problems.set('secrets', { message: EVIL_PROBLEM, at: new Date(clock.now()) });
  await render();
  return {
    url: `${server.url}/debug/ui`,
    close: async () => {
      await controller.stop();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
