/** A bounded window of file writes running beside the export's main loop. */

/** At most `limit` writes in flight; the first failure is rethrown by the next add/drain. */
export class WriteQueue {
  private readonly inflight = new Set<Promise<void>>();
  private error: unknown;
  private failed = false;

  constructor(private readonly limit: number) {}

  async add(p: Promise<void>): Promise<void> {
    const tracked: Promise<void> = p.then(
      () => void this.inflight.delete(tracked),
      (e) => {
        if (!this.failed) {
          this.failed = true;
          this.error = e;
        }
        this.inflight.delete(tracked);
      },
    );
    this.inflight.add(tracked);
    while (this.inflight.size >= this.limit) await Promise.race(this.inflight);
    if (this.failed) throw this.error;
  }

  /** Wait for everything; rethrow the first failure. */
  async drain(): Promise<void> {
    await this.settle();
    if (this.failed) throw this.error;
  }

  /** Wait for everything, ignoring failures (cleanup paths). */
  async settle(): Promise<void> {
    await Promise.all(this.inflight);
  }
}
