/**
 * Deterministic, platform-independent string hashing for data assignment decisions (e.g. which split a
 * speaker belongs to). FNV-1a 32-bit over UTF-16 code units; not cryptographic, only stable.
 */

/** FNV-1a 32-bit hash of a string, as an unsigned integer. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // Final avalanche (murmur3 fmix32) so that similar names spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Maps a string to a number in [0, 1) deterministically. */
export function hashUnit(s: string): number {
  return fnv1a32(s) / 4294967296;
}
