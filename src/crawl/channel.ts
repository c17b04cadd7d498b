/**
 * A bounded single-producer, multi-consumer queue: the producer waits when `capacity` items are
 * queued, so a fast lister never runs far ahead of the describers.
 */
export class Channel<T> {
  private readonly items: T[] = [];
  private closed = false;
  private readonly takers: Array<(v: IteratorResult<T>) => void> = [];
  private readonly putters: Array<() => void> = [];

  constructor(private readonly capacity: number) {}

  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) {
      await new Promise<void>((r) => this.putters.push(r));
    }
    if (this.closed) return;
    const taker = this.takers.shift();
    if (taker) taker({ value: item, done: false });
    else this.items.push(item);
  }

  /** No more items; waiting consumers finish. */
  close(): void {
    this.closed = true;
    for (const t of this.takers.splice(0)) t({ value: undefined, done: true });
    for (const p of this.putters.splice(0)) p();
  }

  /** Close and drop what is queued (the scope failed). */
  abort(): void {
    this.items.length = 0;
    this.close();
  }

  async pull(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) {
      this.putters.shift()?.();
      return { value: item, done: false };
    }
    if (this.closed) return { value: undefined, done: true };
    return new Promise((r) => this.takers.push(r));
  }
}
