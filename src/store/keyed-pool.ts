/**
 * Keyed one-shot crypto contexts (an HMAC or an AES-GCM cipher under a fixed key) made a batch at
 * a time, so a scan takes a ready context instead of setting one up.
 *
 * Why: a check-in needs two keyed operations (the duplicate hash and the sealed subject), each on
 * a fresh node:crypto object, and every object set up alone costs a key schedule plus the crossing
 * into OpenSSL — cheap in a tight loop, but the kiosk does it once per durable commit, right after
 * an fsync has left the CPU's caches cold, where each set-up costs several times more. Made in a
 * batch, the set-ups run back to back and warm; one scan pays one `take()`.
 *
 * Every context is handed out once and never returned: nothing is reused across messages (for
 * AES-GCM that is what keeps each IV used once). The contexts hold the same key the owner already
 * holds; no key material is kept anywhere else.
 */
export class KeyedPool<T> {
  private ready: T[] = [];

  /**
   * `make(n)` returns n fresh contexts, all under the owner's key (with a fresh IV each for a
   * cipher). `batch` (1..1024) is how many are made at a time.
   */
  constructor(
    private readonly make: (n: number) => T[],
    private readonly batch: number,
  ) {
    if (!(Number.isInteger(batch) && batch >= 1 && batch <= 1024)) throw new RangeError('KeyedPool: batch must be an integer in 1..1024');
  }

  /** A context never handed out before. */
  take(): T {
    if (this.ready.length === 0) this.ready = this.make(this.batch);
    return this.ready.pop()!;
  }

  /** Contexts made and not yet handed out (tests). */
  get size(): number {
    return this.ready.length;
  }
}
