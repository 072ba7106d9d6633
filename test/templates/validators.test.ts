/**
 * The validating and quoting filters: what each accepts (returned unchanged, a port as a
 * number) and how it refuses the rest, with a reason that names the problem and never the
 * value. Case tables over the filters themselves; isolation.test.ts covers leaving the
 * object out when the filter is given one.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterError } from '../../src/templates/index.ts';
import { VALIDATORS } from '../../src/templates/validators.ts';

function accepts(filter: string, cases: ReadonlyArray<[unknown, unknown?]>): void {
  for (const [input, output = input] of cases) {
    test(`accepts ${JSON.stringify(input)}`, () => assert.equal(VALIDATORS[filter]!(input), output));
  }
}

function refuses(filter: string, cases: ReadonlyArray<[unknown, string]>): void {
  for (const [input, problem] of cases) {
    const shown = typeof input === 'string' && input.length > 60 ? `${input.slice(0, 20)}… (${input.length} characters)` : JSON.stringify(input) ?? String(input);
    test(`refuses ${shown}: ${problem}`, () => {
      assert.throws(
        () => VALIDATORS[filter]!(input),
        (err: unknown) => err instanceof FilterError && err.message.startsWith(`${filter}: ${problem} (give it the object`),
      );
    });
  }
}

const LONG = 'a'.repeat(100_000);

describe('dns_name (a DNS-1123 subdomain: object names, exact hosts)', () => {
  accepts('dns_name', [['shop'], ['shop.example.com'], ['a-b.c-d.e'], ['0.1'], ['x'.repeat(63)], [`${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`]]);
  refuses('dns_name', [
    ['', 'not a DNS-1123 name: empty'],
    ['Shop', 'not a DNS-1123 name: "S" (U+0053) at character 1'],
    ['shop_tls', 'not a DNS-1123 name: "_" (U+005F) at character 5'],
    ['a\nb', 'not a DNS-1123 name: a line break (U+000A) at character 2'],
    ['../etc', 'not a DNS-1123 name: "/" (U+002F) at character 3'],
    ['a..b', 'not a DNS-1123 name: an empty label (a dot at an end, or two in a row)'],
    ['-a', 'not a DNS-1123 name: label 1 starts or ends with "-"'],
    ['x'.repeat(64), 'not a DNS-1123 name: label 1 is 64 characters long, at most 63'],
    [LONG, 'not a DNS-1123 name: 100000 characters long, at most 253'],
    [undefined, 'expected a name, got undefined'],
    [12, 'expected a name, got a number'],
  ]);
});

describe('ingress_host (an Ingress host: a DNS-1123 subdomain or a wildcard "*." host)', () => {
  accepts('ingress_host', [['shop.example.com'], ['*.preview.example.com'], ['localhost']]);
  refuses('ingress_host', [
    ['*', 'not a host name or wildcard host: "*" (U+002A) at character 1'],
    ['a.*.example.com', 'not a host name or wildcard host: "*" (U+002A) at character 3'],
    ['*.', 'not a host name or wildcard host: empty'],
    ['10.0.0.1', 'not a host name or wildcard host: an IP address, not a name'],
    ['shop.example.com\u2028x', 'not a host name or wildcard host: a line separator (U+2028) at character 17'],
    ['shop.example.com } || {', 'not a host name or wildcard host: a space (U+0020) at character 17'],
  ]);
});

describe('http_path (a strict path, as ingress-nginx strict path validation, with "." and "~")', () => {
  accepts('http_path', [['/'], ['/cart'], ['/api/v1/checkout'], ['/.well-known/security.txt'], ['/catalog/'], ['/~user/a_b-c']]);
  refuses('http_path', [
    ['', 'not a strict path: does not start with "/"'],
    ['cart', 'not a strict path: does not start with "/"'],
    ['/zzz } || { always_true', 'not a strict path: a space (U+0020) at character 5'],
    ['/x\n    http-request return status 200', 'not a strict path: a line break (U+000A) at character 3'],
    ['/a#b', 'not a strict path: "#" (U+0023) at character 3'],
    ["/a'b", 'not a strict path: "\'" (U+0027) at character 3'],
    ['/a"b', 'not a strict path: """ (U+0022) at character 3'],
    ['/a}', 'not a strict path: "}" (U+007D) at character 3'],
    ['/{{ x }}', 'not a strict path: "{" (U+007B) at character 2'],
    ['/a%2fb', 'not a strict path: "%" (U+0025) at character 3'],
    ['/\u0000', 'not a strict path: a NUL character (U+0000) at character 2'],
    ['/a//b', 'not a strict path: holds "//"'],
    ['/a/../b', 'not a strict path: holds a "." or ".." segment'],
    ['/a/.', 'not a strict path: holds a "." or ".." segment'],
    ['/ü', 'not a strict path: U+00FC at character 2'],
    [`/${LONG}`, 'not a strict path: 100001 characters long, at most 1024'],
    [null, 'expected a path, got null'],
  ]);
});

describe('port (a TCP port, 1-65535)', () => {
  accepts('port', [[80], [65535], ['8080', 8080], [1]]);
  refuses('port', [
    [0, 'not a port: outside 1-65535'],
    [65536, 'not a port: outside 1-65535'],
    [8.5, 'not a port: outside 1-65535'],
    ['080', 'not a port: expected a number, got a string'],
    ['80 check', 'not a port: expected a number, got a string'],
    ['http', 'not a port: expected a number, got a string'],
    [undefined, 'not a port: expected a number, got undefined'],
  ]);
});

describe('ip_address (IPv4 or IPv6, no zone)', () => {
  accepts('ip_address', [['10.0.0.1'], ['fd00::1'], ['::ffff:10.0.0.1']]);
  refuses('ip_address', [
    ['10.0.0.256', 'not an IP address: not an IPv4 or IPv6 address'],
    ['fe80::1%eth0', 'not an IP address: "%" (U+0025) at character 8'],
    ['10.0.0.1 backup', 'not an IP address: a space (U+0020) at character 9'],
    ['', 'not an IP address: not an IPv4 or IPv6 address'],
  ]);
});

describe('safe_id (a name part: letters, digits, ".", ":" and "-", so parts joined with "_" never collide)', () => {
  accepts('safe_id', [['shop'], ['web-7d9f-x2'], ['10.0.0.1'], ['fd00::1-ipv6'], ['Http'], [8080, '8080']]);
  refuses('safe_id', [
    ['', 'not a safe identifier: empty'],
    ['a_b', 'not a safe identifier: "_" (U+005F) at character 2'],
    ['x 10.1.2.3:80', 'not a safe identifier: a space (U+0020) at character 2'],
    ['-x', 'not a safe identifier: starts with "-"'],
    ['a\rb', 'not a safe identifier: a carriage return (U+000D) at character 2'],
    ['b'.repeat(254), 'not a safe identifier: 254 characters long, at most 253'],
    [{}, 'expected a name, got an object'],
  ]);
});

describe('haproxy_quote (one HAProxy word, strong quoting)', () => {
  accepts('haproxy_quote', [
    ['plain', "'plain'"],
    ['', "''"],
    ['a b # c $HOME ${X} \\ " }', `'a b # c $HOME \${X} \\ " }'`],
    ["it's", "'it'\\''s'"],
    [42, "'42'"],
  ]);
  refuses('haproxy_quote', [
    ['a\nb', 'cannot quote a line break (U+000A) at character 2'],
    ['a\u0000', 'cannot quote a NUL character (U+0000) at character 2'],
    [undefined, 'expected text, got undefined'],
  ]);
});
