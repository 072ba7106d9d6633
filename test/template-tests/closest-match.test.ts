import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { closestPattern, closestText, formatOutputExcerpt } from '../../src/template-tests/closest-match.ts';

const OUTPUT = `global
  daemon

backend shop_web
  balance roundrobin
  server web-1 10.0.0.1:8080 check
  server web-2 10.0.0.2:8080 check

backend shop_api
  server api-1 10.0.1.1:9090 check
`;

describe('closestText', () => {
  test('finds the line with the part closest to a text, and shows it with two lines around it', () => {
    const excerpt = closestText(OUTPUT, 'server web-2 10.0.0.2:80 check');
    assert.deepEqual(formatOutputExcerpt(excerpt!), [
      'closest match (2 characters differ):',
      '  5 |   balance roundrobin',
      '  6 |   server web-1 10.0.0.1:8080 check',
      '> 7 |   server web-2 10.0.0.2:8080 check',
      '  8 | ',
      '  9 | backend shop_api',
    ]);
  });

  test('matches a text of several lines against as many output lines', () => {
    const excerpt = closestText(OUTPUT, 'backend shop_api\n  server api-1 10.0.1.1:9091 check\n');
    assert.deepEqual(excerpt?.marked, { from: 9, to: 10 });
    assert.equal(excerpt?.title, 'closest match (1 character differs):');
  });

  test('shows nothing when more than half of the text would have to change', () => {
    assert.equal(closestText(OUTPUT, 'frontend https-in'), undefined);
    assert.equal(closestText('', 'anything'), undefined);
  });

  test('says when the text is there but not with the line breaks around it, and shows control characters escaped', () => {
    const excerpt = closestText('listen web\r\n  bind :80\n', 'listen web\n');
    assert.deepEqual(formatOutputExcerpt(excerpt!).slice(0, 2), [
      'closest match (the text is there, but not with the line breaks around it):',
      '> 1 | listen web\\r',
    ]);
  });
});

describe('closestPattern', () => {
  test('shows where the longest start of the pattern that is a pattern itself matches', () => {
    const excerpt = closestPattern(OUTPUT, '^  server api-1 10\\.0\\.1\\.1:80$');
    assert.equal(excerpt?.title, 'the longest start of the pattern that matches, /^  server api-1 10\\.0\\.1\\.1:/m, matches here:');
    assert.deepEqual(excerpt?.marked, { from: 10, to: 10 });
  });

  test('skips starts that are not valid patterns and starts that match only blanks', () => {
    const excerpt = closestPattern(OUTPUT, '^backend (shop_web|shop_cart) x');
    assert.match(excerpt!.title, /\/\^backend \(shop_web\|shop_cart\)\/m/);
    assert.deepEqual(excerpt?.marked, { from: 4, to: 4 });
    assert.equal(closestPattern(OUTPUT, '^\\s*$|zzz'), undefined);
  });
});
