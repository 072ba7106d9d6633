/**
 * Key ranges in etcd's terms: a prefix becomes `[key, range_end)` over the UTF-8 bytes of
 * the keys, as etcd's own clients compute it.
 */

/** The range of every key that starts with `prefix`. */
export function prefixRange(prefix: string): { key: Buffer; range_end: Buffer } {
  const key = Buffer.from(prefix, 'utf8');
  if (key.length === 0) return { key: Buffer.from([0]), range_end: Buffer.from([0]) };
  return { key, range_end: prefixEnd(key) };
}

/** The first key after every key starting with `prefix` (`\0`, "to the end", when none is). */
function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i] = end[i]! + 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

/** The smallest key after `key`: where the next page of a list starts. */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, Buffer.from([0])]);
}
