// The lines protocol over a link: every text line from the device becomes
// samples. The device is ready as soon as one good line arrived.
import type { DeviceInfo } from '../../../shared/api/contract';
import type { LinesOptions } from '../../../shared/api/lines-options';
import { deviceInfoOf, type AdapterContext, type ProtocolAdapter, type ProtocolCounters } from '../adapter';
import { LinesDecoder, type LinesSink } from './codec';

const GREETING = new Uint8Array([0x0a]);
const GREET_EVERY_MS = 1000;

export class LinesSession implements ProtocolAdapter {
  private decoder: LinesDecoder;
  private readonly textDecoder = new TextDecoder('utf-8', { fatal: false });
  private greetTimer: ReturnType<typeof setInterval> | null = null;
  private txLines = 0;
  /** The decoder's counters when the link came up: readiness and waitingFor count from there. */
  private atLinkUp = { good: 0, bad: 0, bytes: 0 };

  private readonly sink: LinesSink;

  constructor(private readonly ctx: AdapterContext, private options: LinesOptions) {
    this.sink = {
      signal: (name) => ctx.signal(name),
      sample: (id, t, v) => ctx.sample(id, t, v),
      rawLine: (bytes, start, end, t, ok) => {
        if (!ctx.consoleWanted()) return;
        const text = this.textDecoder.decode(bytes.subarray(start, end));
        ctx.console('rx', ok ? text : `${text}  ⟵ not understood`, t);
      },
    };
    this.decoder = new LinesDecoder(options, this.sink);
  }

  /**
   * New options on the running link: a new decoder continues from the old one (counters,
   * partial line, CSV header), renamed signals keep their history, removed ones go. The
   * device proves itself again under the new options.
   */
  applyOptions(options: unknown): void {
    const next = options as LinesOptions;
    const before = this.options;
    const removedBefore = new Set(before.remove);
    const removedNow = new Set(next.remove);
    // Own keys only: a field the user called "constructor" is not Object's.
    const shown = (o: LinesOptions, name: string) => (Object.hasOwn(o.rename, name) ? o.rename[name]! : name);
    for (const name of new Set([...Object.keys(before.rename), ...Object.keys(next.rename), ...next.remove])) {
      if (removedBefore.has(name)) continue;
      if (removedNow.has(name)) this.ctx.removeSignal?.(shown(before, name));
      else if (shown(before, name) !== shown(next, name)) this.ctx.renameSignal?.(shown(before, name), shown(next, name));
    }
    this.decoder = new LinesDecoder(next, this.sink, this.decoder);
    this.options = next;
    this.markProofStart();
    this.ctx.statusChanged();
  }

  get ready(): boolean {
    return this.goodLines() > this.atLinkUp.good;
  }

  /** Why the open link has not made the device ready: nothing came, no newline came, or nothing understood. */
  get waitingFor(): string | null {
    if (this.ready) return null;
    const c = this.decoder.counters;
    const bad = this.badLines() - this.atLinkUp.bad;
    const header = this.decoder.awaitedHeader;
    if (header !== null) {
      return `link open, waiting for a CSV header line naming the timestamp column "${header}" (printed before the port opened?): ${bad} data ${bad === 1 ? 'line' : 'lines'} skipped meanwhile`;
    }
    if (bad > 0) return `link open, ${bad} ${bad === 1 ? 'line' : 'lines'} not understood: ${this.decoder.lastError ?? 'no reason kept'}`;
    const bytes = c.bytes - this.atLinkUp.bytes;
    if (bytes > 0) return `link open, ${bytes} bytes received but no end of line (LF) yet`;
    return 'link open, nothing received yet';
  }

  get counters(): ProtocolCounters {
    const c = this.decoder.counters;
    return { rxMessages: c.lines, txMessages: this.txLines, frameErrors: c.badLines + c.oversizedLines, resyncs: c.resyncs };
  }

  get lastError(): string | null {
    return this.decoder.lastError;
  }

  onLinkUp(): void {
    // A line cut by the last disconnect never ends: the new connection starts clean.
    this.decoder.reset();
    this.markProofStart();
    // A UDP device cannot know we exist until we say something.
    if (this.ctx.linkKind === 'datagram') {
      this.ctx.write(GREETING);
      this.greetTimer = setInterval(() => this.ctx.write(GREETING), GREET_EVERY_MS);
    }
  }

  onLinkDown(): void {
    this.stopGreeting();
  }

  onData(chunk: Uint8Array, t: number): void {
    this.decoder.push(chunk, t);
  }

  deviceInfo(deviceSessionId: string | null): DeviceInfo | null {
    if (!deviceSessionId) return null;
    const c = this.decoder.counters;
    return deviceInfoOf({
      sessionId: deviceSessionId,
      deviceId: 'lines',
      displayName: 'Text lines device',
      maxRxDataSize: this.options.maxLineLength,
      extra: {
        format: this.options.format,
        separator: JSON.stringify(this.options.separator),
        header: this.options.header,
        timestampColumn: this.options.timestampColumn ?? 'receive time',
        lines: c.lines,
        samples: c.samples,
        badLines: c.badLines,
      },
    });
  }

  sendText(text: string): boolean {
    const ok = this.ctx.write(new TextEncoder().encode(text));
    if (ok) this.txLines++;
    return ok;
  }

  dispose(): void {
    this.stopGreeting();
  }

  private markProofStart(): void {
    this.atLinkUp = { good: this.goodLines(), bad: this.badLines(), bytes: this.decoder.counters.bytes };
  }

  private goodLines(): number {
    const c = this.decoder.counters;
    return c.lines - c.badLines;
  }

  private badLines(): number {
    const c = this.decoder.counters;
    return c.badLines + c.oversizedLines;
  }

  private stopGreeting(): void {
    if (this.greetTimer) clearInterval(this.greetTimer);
    this.greetTimer = null;
  }
}
