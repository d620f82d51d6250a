/**
 * Idle Float32Arrays kept for reuse, keyed by length and bounded in count per length and in total bytes.
 * Only arrays the pool was told it owns (`own`) are taken back (`give`), each at most once, so a foreign or
 * already-returned array can never be handed out twice. Used for backward-pass gradients (grad-pool.ts)
 * and for training activations (uninit.ts), each with its own instance.
 */
export class BufferPool {
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
    const buf = this.idle.get(n)?.pop();
    if (!buf) return null;
    this.idleBytes -= buf.byteLength;
    return buf;
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
   * Takes back an owned array for reuse (dropped instead when the bounds are reached); false when `buf` is
   * not owned (not from this pool, or already given back).
   */
  give(buf: Float32Array): boolean {
    if (!this.owned.delete(buf)) return false;
    if (this.idleBytes + buf.byteLength > this.maxIdleBytes) return true;
    let list = this.idle.get(buf.length);
    if (!list) {
      list = [];
      this.idle.set(buf.length, list);
    }
    if (list.length >= this.maxPerLength) return true;
    list.push(buf);
    this.idleBytes += buf.byteLength;
    return true;
  }

  /** Drops every idle array. */
  clear(): void {
    this.idle.clear();
    this.idleBytes = 0;
  }
}
