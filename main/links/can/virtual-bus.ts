// A CAN bus inside the engine, for the demo bench, emulators and tests: buses are
// named, every node attached to a bus sees the frames the other nodes send (never its
// own), in order. Delivery is deferred to a microtask so a node answering from its
// frame handler never re-enters the sender.
import { nowSeconds } from '../link';
import { CanStats, type CanBackend, type CanBackendEvents } from './backend';
import type { CanFrame } from './frame';

type Receiver = (frame: CanFrame) => void;

class VirtualBus {
  readonly nodes = new Set<Receiver>();
  private queue: { from: Receiver; frame: CanFrame }[] = [];
  private scheduled = false;

  constructor(readonly name: string) {}

  post(from: Receiver, frame: CanFrame): void {
    this.queue.push({ from, frame });
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.deliver());
  }

  private deliver(): void {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (const { from, frame } of queue) {
      for (const node of this.nodes) if (node !== from) node(frame);
    }
  }
}

const buses = new Map<string, VirtualBus>();

/** Attaches a node to the named bus (created on first use); returns its send function and a detach. */
export function attachVirtualNode(busName: string, receive: Receiver): { send(frame: CanFrame): void; detach(): void } {
  let bus = buses.get(busName);
  if (!bus) {
    bus = new VirtualBus(busName);
    buses.set(busName, bus);
  }
  const b = bus;
  b.nodes.add(receive);
  return {
    send: (frame) => b.post(receive, frame),
    detach: () => {
      b.nodes.delete(receive);
      if (b.nodes.size === 0 && buses.get(busName) === b) buses.delete(busName);
    },
  };
}

export class VirtualCanBackend implements CanBackend {
  readonly label: string;
  readonly stats: CanStats;
  private node: ReturnType<typeof attachVirtualNode> | null = null;

  constructor(readonly bus: string, bitrate = 500_000) {
    this.label = `virtual ${bus}`;
    this.stats = new CanStats(bitrate);
  }

  async start(events: CanBackendEvents): Promise<void> {
    this.node = attachVirtualNode(this.bus, (frame) => {
      // Each receiver gets its own copy stamped with its own receive time.
      const f = { ...frame, t: nowSeconds() };
      this.stats.rx(f);
      events.frame(f);
    });
  }

  send(frame: CanFrame): boolean {
    if (!this.node) return false;
    this.node.send(frame);
    this.stats.tx(frame);
    return true;
  }

  async stop(): Promise<void> {
    this.node?.detach();
    this.node = null;
  }
}
