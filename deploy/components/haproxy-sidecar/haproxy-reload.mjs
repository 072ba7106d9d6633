// Asks the HAProxy master of the sidecar to reload (informant's on_change, run from the
// config folder: `node haproxy-reload.mjs SOCKET`). HAProxy runs in master-worker mode with
// its master CLI on SOCKET (`-S`) in a shared volume: no shared process namespace, no signal
// across containers. The master re-reads haproxy.cfg and starts new workers, which take
// the listening sockets over; a config it refuses leaves the old workers serving.
//   exit 0: reload asked for (and, on HAProxy 2.7 or later, reported a success), or HAProxy
//           has not started yet (no SOCKET): it reads the files when it starts
//   exit 1: the master refused the new config (2.7 or later say so), did not answer, or
//           SOCKET exists and nobody listens; informant retries on_change with backoff
import { connect } from 'node:net';

const socket = process.argv[2] ?? '/var/run/haproxy/master.sock';
/** How long the master may take to answer, in ms. */
const ANSWER_TIMEOUT_MS = 15_000;

let answer = '';
const client = connect(socket);
client.setEncoding('utf8');
client.setTimeout(ANSWER_TIMEOUT_MS, () => {
  process.stderr.write(`${socket}: no answer to "reload" within ${ANSWER_TIMEOUT_MS} ms\n`);
  process.exitCode = 1;
  client.destroy();
});
client.on('data', (chunk) => (answer += chunk));
client.on('error', (error) => {
  if (error.code === 'ENOENT') {
    process.stderr.write(`${socket}: HAProxy has not started yet; it reads the files when it starts\n`);
    return;
  }
  process.stderr.write(`${socket}: ${error.message}\n`);
  process.exitCode = 1;
});
client.on('end', () => {
  if (/^Success=0/m.test(answer)) {
    process.stderr.write(`HAProxy refused the new config; its workers keep serving the last one:\n${answer}\n`);
    process.exitCode = 1;
  }
});
client.end('reload\n');
