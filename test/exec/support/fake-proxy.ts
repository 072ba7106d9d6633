/**
 * A stand-in for a proxy under exec mode: a real process that records, one JSON line per
 * event in the file named by its first argument, that it started and every signal it got,
 * each with the content of the config file it serves (its second argument) at that moment.
 *   FAKE_PROXY_IGNORE   signals it records but does not exit on (e.g. SIGTERM, to be killed)
 *   FAKE_PROXY_EXIT     exit with this code right after starting
 *   FAKE_PROXY_TERM_CODE the code it exits with on SIGTERM, SIGINT or SIGQUIT (default 0)
 */
import { appendFileSync, readFileSync } from 'node:fs';

const [record, config] = process.argv.slice(2);
if (record === undefined) throw new Error('usage: fake-proxy.ts <record file> [config file]');
const ignored = new Set((process.env.FAKE_PROXY_IGNORE ?? '').split(',').filter(Boolean));

function content(): string | null {
  try {
    return config === undefined ? null : readFileSync(config, 'utf8');
  } catch {
    return null;
  }
}

function log(event: Record<string, unknown>): void {
  appendFileSync(record!, `${JSON.stringify({ ...event, pid: process.pid, content: content() })}\n`);
}

for (const signal of ['SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const) process.on(signal, () => log({ event: 'signal', signal }));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) {
  process.on(signal, () => {
    log({ event: 'signal', signal });
    if (!ignored.has(signal)) process.exit(Number(process.env.FAKE_PROXY_TERM_CODE ?? 0));
  });
}
log({ event: 'start' });
if (process.env.FAKE_PROXY_EXIT !== undefined) process.exit(Number(process.env.FAKE_PROXY_EXIT));
setInterval(() => {}, 1 << 30);
