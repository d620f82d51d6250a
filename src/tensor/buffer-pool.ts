/**
 * Idle Float32Arrays kept for reuse, keyed by length and bounded in count per length and in total bytes.
 * Only arrays the pool was told it owns (`own`) are taken back (`give`), each at most once, so a foreign or
 * already-returned array can never be handed out twice. Used for backward-pass gradients (grad-pool.ts)
 * and for training activations (uninit.ts), each with its own instance.
 * When the byte bound is reached, the idle arrays of the least recently used lengths make room: a process
 * that trains models of other shapes one after another (a search, a benchmark) would otherwise keep the first
 * model's arrays for good and pool nothing for the later ones.
 */
export class BufferPool {
  /** Idle arrays by length; the Map's order is the order of last use, least recent first. */
  private readonly idle = new Map<number, Float32Array[]>();
  private idleBytes = 0;
  private readonly owned = new WeakSet<Float32Array>();

  constructor(
    /** Upper bound on idle memory, bytes. */
    private readonly maxIdleBytes: number,
    /** Idle arrays kept per length. */
    private readonly maxPerLength: number,
  ) {}

  /** An idle array of n elements (old contents) or null when there is none. */
  take(n: number): Float32Array | null {
    const list = this.idle.get(n);
    const buf = list?.pop();
    if (!list || !buf) return null;
    this.idleBytes -= buf.byteLength;
    this.touch(n, list);
    return buf;
  }

  /** Marks length n as the most recently used. */
  private touch(n: number, list: Float32Array[]): void {
    this.idle.delete(n);
    this.idle.set(n, list);
  }

  /** Drops one idle array of the least recently used length that has one; false when none is idle. */
  private evictOldest(): boolean {
    for (const [n, list] of this.idle) {
      const b = list.pop();
      if (list.length === 0) this.idle.delete(n);
      if (b) {
        this.idleBytes -= b.byteLength;
        return true;
      }
    }
    return false;
  }

  /** Marks `buf` as returnable to this pool. */
  own(buf: Float32Array): void {
    this.owned.add(buf);
  }

  /** True when `buf` is owned and not returned yet. */
  owns(buf: Float32Array): boolean {
    return this.owned.has(buf);
  }

  /** Takes `buf` out of the pool's care for good. */
  disown(buf: Float32Array): void {
    this.owned.delete(buf);
  }

  /**
   * Takes back an owned array for reuse; false when `buf` is not owned (not from this pool, or already given
   * back). It is dropped when its length already has maxPerLength idle arrays or it alone exceeds the byte
   * bound; otherwise idle arrays of the least recently used lengths are dropped until it fits.
   */
  give(buf: Float32Array): boolean {
    if (!this.owned.delete(buf)) return false;
    if (buf.byteLength > this.maxIdleBytes) return true;
    const list = this.idle.get(buf.length) ?? [];
    if (list.length >= this.maxPerLength) return true;
    this.touch(buf.length, list);
    while (this.idleBytes + buf.byteLength > this.maxIdleBytes && this.evictOldest()) {}
    list.push(buf);
    this.idle.set(buf.length, list); // (evictOldest removes a length whose list it emptied)
    this.idleBytes += buf.byteLength;
    return true;
  }

  /** Drops every idle array. */
  clear(): void {
    this.idle.clear();
    this.idleBytes = 0;
  }
}
