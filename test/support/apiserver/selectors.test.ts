import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSelectorError, parseFieldSelector } from './field-selector.ts';
import { LabelSelectorError, parseLabelSelector } from './label-selector.ts';

const labels = { app: 'web', tier: '3', 'example.com/team': 'edge', empty: '' };

describe('label selector', () => {
  const cases: Array<[selector: string, matches: boolean]> = [
    ['', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['app!=api', true],
    ['missing!=x', true],
    ['app in (api, web)', true],
    ['app in (api)', false],
    ['missing in (x)', false],
    ['app notin (api)', true],
    ['app notin (web)', false],
    ['missing notin (x)', true],
    ['tier>2', true],
    ['tier<3', false],
    ['app>2', false],
    ['example.com/team=edge', true],
    ['empty=', true],
    ['empty', true],
    ['app=web,tier>2,!missing', true],
    ['app=web, tier<1', false],
    ['  app  =  web  ', true],
  ];
  for (const [selector, expected] of cases) {
    test(`"${selector}" ${expected ? 'matches' : 'does not match'} the labels`, () => {
      assert.equal(parseLabelSelector(selector).matches(labels), expected);
    });
  }

  const invalid = [
    'app in (web',
    'app in ()',
    'app=web,',
    ',app',
    'app = = web',
    'tier>x',
    'in',
    'bad key=1',
    '-app=web',
    'app=-web',
    `app=${'v'.repeat(64)}`,
  ];
  for (const selector of invalid) {
    test(`rejects "${selector}" with a LabelSelectorError`, () => {
      assert.throws(() => parseLabelSelector(selector), LabelSelectorError);
    });
  }

  test('matches objects without labels only through negative requirements', () => {
    assert.equal(parseLabelSelector('app!=web').matches(undefined), true);
    assert.equal(parseLabelSelector('app').matches(undefined), false);
  });
});

describe('field selector', () => {
  const object = { name: 'web,1', namespace: 'shop' };
  const cases: Array<[selector: string, matches: boolean]> = [
    ['', true],
    ['metadata.namespace=shop', true],
    ['metadata.namespace==shop', true],
    ['metadata.namespace!=shop', false],
    ['metadata.name=web\\,1', true],
    ['metadata.namespace=shop,metadata.name!=other', true],
    ['metadata.namespace=shop,metadata.name=other', false],
  ];
  for (const [selector, expected] of cases) {
    test(`"${selector}" ${expected ? 'matches' : 'does not match'} the object`, () => {
      assert.equal(parseFieldSelector(selector).matches(object), expected);
    });
  }

  test('rejects fields other than metadata.name and metadata.namespace, and terms without an operator', () => {
    assert.throws(() => parseFieldSelector('spec.nodeName=n1'), /field label not supported: spec.nodeName/);
    assert.throws(() => parseFieldSelector('metadata.name'), FieldSelectorError);
  });
});
