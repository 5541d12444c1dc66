// A raw KATCP client over a real TCP socket, for testing the emulator byte for
// byte, and a harness that runs a KatcpSession over a real TCP link.
import net from 'node:net';
import { KatcpDecoder, encodeMessage, type KatcpMessage } from '../../main/protocols/katcp/codec';
import { createLink } from '../../main/links/factory';
import type { Link } from '../../main/links/link';
import { KatcpOptionsSchema, type KatcpOptionsInput } from '../../shared/api/katcp-options';
import { KatcpSession } from '../../main/protocols/katcp/session';
import { TelemetryStore } from '../../main/telemetry/store';

export class RawKatcpClient {
  readonly messages: KatcpMessage[] = [];
  readonly lines: string[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    const decoder = new KatcpDecoder({ message: (v) => { this.messages.push(v.toMessage()); this.wake(); } });
    socket.on('data', (chunk) => {
      this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      decoder.push(chunk, Date.now() / 1000);
    });
    socket.on('close', () => { this.closed = true; this.wake(); });
    socket.on('error', () => undefined);
  }

  static connect(port: number): Promise<RawKatcpClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawKatcpClient(s)));
      s.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Sends a request and resolves with its reply and the informs of the same name received meanwhile. */
  async request(name: string, args: (string | number)[] = [], mid: number | null = null, timeoutMs = 3000): Promise<{ reply: KatcpMessage; informs: KatcpMessage[] }> {
    const from = this.messages.length;
    this.send(encodeMessage('?', name, args, mid));
    const reply = await this.waitFor((m) => m.type === '!' && m.name === name && m.mid === mid, timeoutMs, from);
    const informs = this.messages.slice(from).filter((m) => m.type === '#' && m.name === name);
    return { reply, informs };
  }

  /** Resolves with the first message from index `from` on that matches. */
  async waitFor(match: (m: KatcpMessage) => boolean, timeoutMs = 3000, from = 0): Promise<KatcpMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.closed) throw new Error('connection closed while waiting');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; last messages: ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export interface RecordedEvent { kind: string; data: unknown }

/** A KatcpSession on a real TCP link to `port`, with a real telemetry store behind it. */
export class SessionHarness {
  readonly store = new TelemetryStore();
  readonly events: RecordedEvent[] = [];
  readonly console: string[] = [];
  readonly marks: { t: number; label: string; severity?: string; signal?: string }[] = [];
  readonly reconnects: string[] = [];
  readonly link: Link;
  readonly session: KatcpSession;
  consoleWanted = false;

  constructor(port: number, options: KatcpOptionsInput = {}) {
    this.link = createLink({ type: 'tcp', config: { host: '127.0.0.1', port } }, { backoff: { initialMs: 50, maxMs: 200 } });
    const link = this.link;
    this.session = new KatcpSession({
      sessionId: 'test',
      linkKind: 'stream',
      signal: (name, unit, opts) => this.store.declare('test', name, unit, opts?.states),
      sample: (id, t, v) => this.store.append(id, t, v),
      write: (bytes) => link.write(bytes),
      consoleWanted: () => this.consoleWanted,
      console: (dir, text) => this.console.push(`${dir} ${text}`),
      event: (kind, data) => this.events.push({ kind, data }),
      statusChanged: () => undefined,
      mark: (m) => this.marks.push(m),
      linkLabel: () => link.label,
      reconnect: (reason) => { this.reconnects.push(reason); link.restart?.(reason); },
    }, KatcpOptionsSchema.parse(options));
    link.setEvents({
      onData: (chunk, t) => this.session.onData(chunk, t),
      onState: (state) => (state === 'Connected' ? this.session.onLinkUp() : this.session.onLinkDown()),
    });
    link.open();
  }

  samples(name: string): number {
    const s = this.store.list('test').find((x) => x.name === name);
    return s ? this.store.total(s.id) : 0;
  }

  async waitReady(timeoutMs = 3000): Promise<void> {
    await until(() => this.session.ready, timeoutMs, () => `session not ready: ${this.session.lastError}`);
  }

  async close(): Promise<void> {
    this.session.dispose();
    this.link.setEvents({});
    await this.link.close();
  }
}

export async function until(cond: () => boolean, timeoutMs = 3000, why: () => string = () => 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${why()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
