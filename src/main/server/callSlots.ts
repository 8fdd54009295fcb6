/**
 * A fixed number of places for calls the server is answering. A call holds its
 * place from the moment it starts until its reply has left for the page (the
 * socket took it), so replies waiting for slow pages count too: this, not the
 * number of pages or requests, bounds what the server holds in memory.
 */
export class CallSlots {
  private inUse = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {}

  /** Waits for a free place; the returned function gives it back (calling it again does nothing). */
  async take(): Promise<() => void> {
    if (this.inUse >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inUse++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      // The place goes straight to the next waiter, so nobody overtakes the queue.
      if (next) next();
      else this.inUse--;
    };
  }

  /** Places taken now. */
  get taken(): number {
    return this.inUse;
  }

  /** Calls waiting for a place. */
  get queued(): number {
    return this.waiting.length;
  }
}
