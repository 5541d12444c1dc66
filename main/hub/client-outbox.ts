// What the hub sends one client, bounded whatever the client does. While its door
// takes messages (not busy, nothing waiting), they go straight out. While it is busy
// (a client that stopped reading), they wait here, bounded:
// - status, signal list and plots: only the latest waits (each is the whole picture,
//   so the latest status of every session wins); the ones replaced are counted as coalesced;
// - console lines and marks: gathered into one event each, the newest MAX_WAITING_ITEMS
//   kept; older ones are dropped and counted;
// - everything else (replies, protocol and capture events): kept in order up to
//   MAX_WAITING_BYTES; past it the oldest are dropped and counted.
// The hub calls drain() about ten times a second.
import type { ClientDoor } from './doors';

export const MAX_WAITING_ITEMS = 2000;
export const MAX_WAITING_BYTES = 1 << 20;
const LATEST = new Set(['status', 'signals', 'plots']);
const ITEMS = new Set(['console', 'marks']);

export interface OutboxCounters {
  /** Events replaced by a newer one of their kind before they could be sent. */
  coalesced: number;
  /** Events, console lines and marks dropped for a client that did not read them. */
  dropped: number;
}

export class ClientOutbox {
  private readonly latest = new Map<string, string>();
  private readonly items = new Map<string, unknown[]>();
  private readonly queue: string[] = [];
  private queuedBytes = 0;
  private waiting = false;

  constructor(private readonly door: ClientDoor, private readonly counters: OutboxCounters) {}

  /** An event by name, with its data (or its text, made once for every client). */
  event(name: string, data: unknown, text?: string): void {
    if (!this.waiting && !this.door.isBusy()) {
      this.out(text ?? JSON.stringify({ event: name, data }));
      return;
    }
    this.waiting = true;
    if (LATEST.has(name)) {
      if (this.latest.has(name)) this.counters.coalesced++;
      this.latest.set(name, text ?? JSON.stringify({ event: name, data }));
    } else if (ITEMS.has(name) && Array.isArray(data)) {
      const held = this.items.get(name) ?? [];
      for (const item of data) held.push(item);
      if (held.length > MAX_WAITING_ITEMS) this.counters.dropped += held.splice(0, held.length - MAX_WAITING_ITEMS).length;
      this.items.set(name, held);
    } else {
      this.enqueue(text ?? JSON.stringify({ event: name, data }));
    }
  }

  /** A reply, or any other message that is not coalesced. */
  send(text: string): void {
    if (!this.waiting && !this.door.isBusy()) this.out(text);
    else {
      this.waiting = true;
      this.enqueue(text);
    }
  }

  /** Sends what waits, while the door takes it. */
  drain(): void {
    if (!this.waiting) return;
    while (this.queue.length && !this.door.isBusy()) {
      const text = this.queue.shift()!;
      this.queuedBytes -= text.length;
      this.out(text);
    }
    if (this.queue.length) return;
    for (const [name, items] of this.items) {
      if (this.door.isBusy()) return;
      this.items.delete(name);
      this.out(JSON.stringify({ event: name, data: items }));
    }
    for (const [name, text] of this.latest) {
      if (this.door.isBusy()) return;
      this.latest.delete(name);
      this.out(text);
    }
    this.waiting = false;
  }

  /** Bytes of text waiting (for the stats and the tests). */
  get waitingBytes(): number {
    let n = this.queuedBytes;
    for (const t of this.latest.values()) n += t.length;
    return n;
  }

  get waitingItems(): number {
    let n = 0;
    for (const items of this.items.values()) n += items.length;
    return n;
  }

  private enqueue(text: string): void {
    this.queue.push(text);
    this.queuedBytes += text.length;
    while (this.queuedBytes > MAX_WAITING_BYTES && this.queue.length > 1) {
      this.queuedBytes -= this.queue.shift()!.length;
      this.counters.dropped++;
    }
  }

  private out(text: string): void {
    try {
      this.door.sendText(text);
    } catch {
      // A door that cannot send is closing; its close() removes the client.
    }
  }
}
