import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/k8s.ts';
import { SelectorError, escapeFieldValue, parseFieldSelector } from '../../src/selector/index.ts';

const object = (name: string, namespace?: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: namespace === undefined ? { name } : { name, namespace },
  ...extra,
});

describe('parseFieldSelector accepts metadata.name and metadata.namespace terms', () => {
  const cases: Array<[string, string]> = [
    ['', ''],
    ['metadata.name=web', 'metadata.name=web'],
    ['metadata.name==web', 'metadata.name=web'],
    ['metadata.name!=web', 'metadata.name!=web'],
    ['metadata.namespace=default,metadata.name=web', 'metadata.name=web,metadata.namespace=default'],
    ['metadata.name=', 'metadata.name='],
    ['metadata.name=a\\,b', 'metadata.name=a\\,b'],
    ['metadata.name=a\\=b', 'metadata.name=a\\=b'],
    ['metadata.name=a\\\\b', 'metadata.name=a\\\\b'],
    ['metadata.name=web,,metadata.namespace!=kube-system', 'metadata.name=web,metadata.namespace!=kube-system'],
    [',metadata.name=web,', 'metadata.name=web'],
    ['metadata.name=web,metadata.name=web', 'metadata.name=web'],
    ['metadata.name=with space', 'metadata.name=with space'],
  ];
  for (const [input, canonical] of cases) {
    test(`parses ${JSON.stringify(input)} and writes it as ${JSON.stringify(canonical)}`, () => {
      const selector = parseFieldSelector(input);
      assert.equal(selector.toString(), canonical);
      assert.equal(parseFieldSelector(selector.toString()).toString(), canonical);
    });
  }
});

describe('parseFieldSelector refuses invalid selectors, naming the offset and what was expected', () => {
  const cases: Array<[string, number, string]> = [
    ['metadata.name', 0, '<field>=<value>'],
    ['metadata.name=a,bogus', 16, '<field>=<value>'],
    ['spec.nodeName=n1', 0, 'metadata.name, metadata.namespace'],
    ['metadata.name=a,status.phase!=Running', 16, 'a supported field'],
    ['metadata.name =a', 0, 'a supported field'],
    ['=a', 0, 'a field name'],
    ['metadata.name=a=b', 15, "'\\='"],
    ['metadata.name==a=b', 16, "'\\='"],
    ['metadata.name=a\\x', 15, 'the only escapes'],
    ['metadata.name=a\\', 15, 'the only escapes'],
  ];
  for (const [input, offset, expected] of cases) {
    test(`refuses ${JSON.stringify(input)} at offset ${offset}`, () => {
      assert.throws(
        () => parseFieldSelector(input),
        (err: unknown) => {
          assert.ok(err instanceof SelectorError, `not a SelectorError: ${String(err)}`);
          assert.equal(err.kind, 'field');
          assert.equal(err.offset, offset, err.message);
          assert.ok(err.expected.includes(expected), `${JSON.stringify(err.expected)} lacks ${JSON.stringify(expected)}`);
          return true;
        },
      );
    });
  }

  test('names the unsupported field and the supported ones in the message', () => {
    assert.throws(() => parseFieldSelector('spec.nodeName=n1'), {
      message: /'spec\.nodeName'.*metadata\.name, metadata\.namespace/,
    });
  });
});

describe('FieldSelector.matches', () => {
  const cases: Array<[string, KubeObject, boolean]> = [
    ['', object('web', 'default'), true],
    ['metadata.name=web', object('web', 'default'), true],
    ['metadata.name=web', object('api', 'default'), false],
    ['metadata.name!=web', object('api', 'default'), true],
    ['metadata.name!=web', object('web'), false],
    ['metadata.namespace=default', object('web', 'default'), true],
    ['metadata.namespace=default', object('web', 'other'), false],
    ['metadata.namespace=default', object('web'), false],
    ['metadata.namespace=', object('web'), true],
    ['metadata.namespace!=kube-system', object('web'), true],
    ['metadata.namespace!=kube-system', object('web', 'kube-system'), false],
    ['metadata.name=a\\,b', object('a,b'), true],
    ['metadata.name=web,metadata.namespace=default', object('web', 'default'), true],
    ['metadata.name=web,metadata.namespace=default', object('web', 'other'), false],
  ];
  for (const [selector, obj, expected] of cases) {
    test(`${JSON.stringify(selector)} ${expected ? 'matches' : 'does not match'} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`, () => {
      assert.equal(parseFieldSelector(selector).matches(obj), expected);
    });
  }

  test('with anyField reads dotted paths, a missing field reading as the empty string', () => {
    const pod = object('web', 'default', { spec: { nodeName: 'n1', replicas: 3 }, status: { ready: true } });
    assert.equal(parseFieldSelector('spec.nodeName=n1', { anyField: true }).matches(pod), true);
    assert.equal(parseFieldSelector('spec.replicas=3,status.ready=true', { anyField: true }).matches(pod), true);
    assert.equal(parseFieldSelector('spec.missing.deeper=', { anyField: true }).matches(pod), true);
    assert.equal(parseFieldSelector('spec=', { anyField: true }).matches(pod), true);
    assert.equal(parseFieldSelector('spec.nodeName!=n1', { anyField: true }).matches(pod), false);
  });
});

test('escapeFieldValue escapes backslash, comma and equals', () => {
  assert.equal(escapeFieldValue('a\\b,c=d'), 'a\\\\b\\,c\\=d');
});
