/**
 * TLS material for tests that run in process: two self-signed certificates (P-256, valid
 * until 2126, subjects a.example.test and b.example.test) and their keys, made once with
 * openssl and kept here, so no test needs openssl to check what templates do with TLS
 * Secrets. Test keys only: they protect nothing.
 */
import type { KubeObject } from '../../src/k8s.ts';

/** A certificate and its private key, PEM. */
export interface TestCertificate {
  cert: string;
  key: string;
}

export const CERT_A: TestCertificate = Object.freeze({
  cert: `-----BEGIN CERTIFICATE-----
MIIBpDCCAUqgAwIBAgIUcELoSS63N4CjIujwg7PmlGiji+cwCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOYS5leGFtcGxlLnRlc3QwIBcNMjYxMjA2MTgyNTAwWhgPMjEy
NjExMTIxODI1MDBaMBkxFzAVBgNVBAMMDmEuZXhhbXBsZS50ZXN0MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAEHUW1j6MP43+0C44YGMPu2HomnH02iWWda35LYLO2
DoLRHWUQ26KgM8BS8phhu7fugR37bSRVuPV7dizVeaFGXKNuMGwwHQYDVR0OBBYE
FKZzc2VrNxmqwzEHRR8LcFoWyDN7MB8GA1UdIwQYMBaAFKZzc2VrNxmqwzEHRR8L
cFoWyDN7MA8GA1UdEwEB/wQFMAMBAf8wGQYDVR0RBBIwEIIOYS5leGFtcGxlLnRl
c3QwCgYIKoZIzj0EAwIDSAAwRQIhAJOzKFVdejW8+pC4sRK9XouIimCwRPUAdwMR
h7oQq4zxAiAUnRpiE6lu3dKaFVajWFbynMYMwrYqNeYRfARKftkryw==
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgCHh6ZP+Qas0+BYuE
FXCMpGuDAJHdezpB5XVUJruaY4mhRANCAAQdRbWPow/jf7QLjhgYw+7YeiacfTaJ
ZZ1rfktgs7YOgtEdZRDboqAzwFLymGG7t+6BHfttJFW49Xt2LNV5oUZc
-----END PRIVATE KEY-----
`,
});

export const CERT_B: TestCertificate = Object.freeze({
  cert: `-----BEGIN CERTIFICATE-----
MIIBpTCCAUqgAwIBAgIUVxMW8fRrqpTFHkdnO+jL9BGAD38wCgYIKoZIzj0EAwIw
GTEXMBUGA1UEAwwOYi5leGFtcGxlLnRlc3QwIBcNMjYxMjA2MTgyNTAwWhgPMjEy
NjExMTIxODI1MDBaMBkxFzAVBgNVBAMMDmIuZXhhbXBsZS50ZXN0MFkwEwYHKoZI
zj0CAQYIKoZIzj0DAQcDQgAE80yVu3s2pav9M4VohA6ZVl5/tYCB/AH9esXcHoo2
L9bpNORjGHdwEK8wHw2KxlNWbdOqaG+Yjuc47Am+YGMwuaNuMGwwHQYDVR0OBBYE
FMlBOYSG+32mf/bVBhALj7LEvvwOMB8GA1UdIwQYMBaAFMlBOYSG+32mf/bVBhAL
j7LEvvwOMA8GA1UdEwEB/wQFMAMBAf8wGQYDVR0RBBIwEIIOYi5leGFtcGxlLnRl
c3QwCgYIKoZIzj0EAwIDSQAwRgIhAJ7BNH+FgK29qzy4uE4YANPEgNbGlzuNDjNu
owZklshDAiEAw4z1ayA8EtyIfWHq3CeK/eq+FLtWTuGttIr4nf+4WKQ=
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgl7XltwAqAAYwB+co
hPG55Xyar4BiOqWSc6zYuQJeYJShRANCAATzTJW7ezalq/0zhWiEDplWXn+1gIH8
Af16xdweijYv1uk05GMYd3AQrzAfDYrGU1Zt06pob5iO5zjsCb5gYzC5
-----END PRIVATE KEY-----
`,
});

/** A Secret of type kubernetes.io/tls holding `pair` (base64, as the API server stores it). */
export function tlsSecret(namespace: string, name: string, pair: TestCertificate): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { namespace, name },
    data: { 'tls.crt': Buffer.from(pair.cert).toString('base64'), 'tls.key': Buffer.from(pair.key).toString('base64') },
  };
}
