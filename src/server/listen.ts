/**
 * `server.listen` ("host:port") as node:http wants it.
 */

/** Where to listen: host undefined means every interface. */
export interface ListenAddress {
  host: string | undefined;
  port: number;
}

/**
 * Parses "0.0.0.0:8080", "127.0.0.1:0", "[::1]:9090" or ":8080" (every interface).
 * Throws an Error naming the address when it is not host:port (the config schema has
 * checked it already; this guards other callers).
 */
export function parseListen(listen: string): ListenAddress {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]*)):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`invalid listen address ${JSON.stringify(listen)}: use host:port, e.g. 0.0.0.0:8080`);
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

/** True when `listen` binds a loopback address only (127.0.0.0/8, ::1, localhost): nothing outside the host (or Pod) reaches it. */
export function isLoopback(listen: string): boolean {
  const { host } = parseListen(listen);
  return host !== undefined && (host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host));
}
