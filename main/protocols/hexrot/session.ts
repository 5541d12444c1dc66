// A hexrot controller over a link. Current generation: Benchscope is the
// commanding client (link: tcp client to the controller's port); commands are
// acknowledged by COMMAND_STATUS frames. Legacy generation: the link carries
// config and telemetry in and commands out (see main/links/hexrot-legacy-server.ts), with no
// acknowledgement. Either way every numeric telemetry field is a signal, and
// config fields are signals named `config.<field>` too.
//
// Actions (sessionAction): layout, config, telemetry, nextTelemetry {skip = 2},
// command {name|code, params} (current: resolves with ACK / NO_ACK / timeout),
// putCommand {name|code, params} (legacy: sets the counter, no acknowledgement),
// history {limit}.
// Events: `config` (on every config frame), `command` (every change of a
// command's record), `putCommand` (legacy).
import type { DeviceInfo } from '../../../shared/api/contract';
import { deviceInfoOf, type AdapterContext, type ProtocolAdapter, type ProtocolCounters } from '../adapter';
import { encodeCommand, encodeLegacyCommand, HexrotDecoder } from './codec';
import { CommandTracker, type CommandRecord } from './commands';
import { resolveLayout, stateNames, type CommandJson, type CompiledField, type CompiledLayout, type LayoutJson } from '../../../shared/api/hexrot-layout';
import type { HexrotOptions } from '../../../shared/api/hexrot-options';
import { HexrotActions, type ConfigSnapshot, type FieldValue } from '../../../shared/api/hexrot';
import type { ActionHandlers } from '../../../shared/api/actions';
import { ApiError } from '../../../shared/api/errors';

export type { ConfigSnapshot, FieldValue } from '../../../shared/api/hexrot';

/** A header time further than this from the host's clock is not trusted for sample times. */
const HEADER_TIME_TRUST_S = 60;

export class HexrotSession implements ProtocolAdapter {
  readonly layout: CompiledLayout;
  private readonly decoder: HexrotDecoder;
  private readonly tracker: CommandTracker;
  private readonly telemetryIds: Int32Array;
  private readonly configIds: Int32Array;
  private readonly legacy: boolean;
  private linkUp = false;
  private framesAtLinkUp = 0;
  private config: ConfigSnapshot | null = null;
  private telemetryT = NaN;
  private telemetryCount = 0;
  private readonly telemetryWaiters = new Set<{ target: number; resolve(): void; timer: ReturnType<typeof setTimeout> }>();
  /** Legacy: per command code, the last counter sent (the seed's put_command numbers each code from 1). */
  private readonly legacyCounters = new Map<number, number>();
  private legacySent = 0;
  private statusWarning: string | null = null;
  /** Whether sample times come from the frame headers (null: no telemetry yet). */
  private usingHeaderTime: boolean | null = null;
  private clockWarning: string | null = null;

  constructor(private readonly ctx: AdapterContext, private readonly options: HexrotOptions) {
    this.layout = resolveLayout(options.layout as string | LayoutJson, options.layoutName);
    // The two-port server is the legacy generation's own link: it speaks legacy framing whatever the option says.
    const generation = ctx.linkType === 'hexrot-legacy-server' ? 'legacy' : options.generation;
    this.legacy = generation === 'legacy';
    this.decoder = new HexrotDecoder(this.layout, generation, {
      telemetry: (values, t) => this.onTelemetry(values, t),
      config: (values, texts, t) => this.onConfig(values, texts, t),
      commandStatus: (counter, status, duration, reason) => this.onStatus(counter, status, duration, reason),
    }, { legacyHeader: options.legacyHeader });
    // A state field with names is a state timeline in the plots; the others are lines on their unit's axis.
    const declare = (name: string, f: CompiledField) => {
      const states = stateNames(f);
      return ctx.signal(name, f.unit, states ? { states } : undefined);
    };
    this.telemetryIds = Int32Array.from(this.layout.telemetry.numeric, (f) => declare(f.name, f));
    this.configIds = Int32Array.from(this.layout.config.numeric, (f) => declare(`config.${f.name}`, f));
    const le = this.layout.littleEndian;
    this.tracker = new CommandTracker({
      write: (counter, code, params) => this.ctx.write(encodeCommand({ counter, code, params }, le)),
      event: (record) => this.onCommandRecord(record),
      now: () => Date.now() / 1000,
    }, options.commandTimeoutS);
  }

  get ready(): boolean {
    return this.linkUp && this.decoder.counters.frames > this.framesAtLinkUp;
  }

  get counters(): ProtocolCounters {
    const c = this.decoder.counters;
    return {
      rxMessages: c.frames,
      txMessages: this.legacy ? this.legacySent : this.tracker.sent,
      frameErrors: c.unknownFrames + c.truncatedFrames,
      resyncs: c.resyncs,
    };
  }

  get lastError(): string | null {
    return this.decoder.lastError ?? this.statusWarning ?? this.clockWarning;
  }

  onLinkUp(): void {
    this.linkUp = true;
    this.framesAtLinkUp = this.decoder.counters.frames;
  }

  onLinkDown(): void {
    this.linkUp = false;
    this.decoder.reset();
    this.tracker.linkDown('connection to the controller lost');
  }

  onData(chunk: Uint8Array, t: number): void {
    const c = this.decoder.counters;
    const before = c.frames;
    const unknownBefore = c.unknownFrames;
    this.decoder.push(chunk, t);
    if (before === this.framesAtLinkUp && c.frames > before) this.ctx.statusChanged();
    if (c.unknownFrames !== unknownBefore && this.ctx.consoleWanted()) {
      this.ctx.console('info', `${c.unknownFrames - unknownBefore} unknown frame(s); last: ${this.decoder.lastError}`, t);
    }
  }

  deviceInfo(deviceSessionId: string | null): DeviceInfo | null {
    if (!deviceSessionId) return null;
    const c = this.decoder.counters;
    return deviceInfoOf({
      sessionId: deviceSessionId,
      deviceId: 'hexrot',
      displayName: `Hexapod/rotator controller (${this.layout.json.name}, ${this.legacy ? 'legacy' : 'current'} generation)`,
      supportedFeatures: { memoryWrite: false, datalogging: false, userCommand: true, sixtyfourBits: false },
      extra: {
        generation: this.legacy ? 'legacy' : 'current',
        sampleTimes: this.usingHeaderTime === null ? 'no telemetry yet' : this.usingHeaderTime ? 'frame header (controller clock)' : 'receive time (controller clock not trusted)',
        layout: this.layout.json.name,
        endian: this.layout.json.endian,
        headerBytes: this.decoder.headerSize,
        configBytes: this.layout.config.size,
        telemetryBytes: this.layout.telemetry.size,
        telemetryFrames: c.telemetryFrames,
        configFrames: c.configFrames,
        statusFrames: c.statusFrames,
        unknownFrames: c.unknownFrames,
        ignoredStatuses: this.tracker.ignoredStatuses,
      },
    });
  }

  /** Console text "NAME p1 p2 ..." (or a code instead of the name) sends that command. */
  sendText(text: string): boolean {
    const words = text.trim().split(/\s+/).filter(Boolean);
    if (!words.length) return false;
    const params = words.slice(1, 7).map(Number);
    if (params.some((p) => !Number.isFinite(p))) return false;
    const cmd = this.findCommand(/^\d+$/.test(words[0]!) ? { code: Number(words[0]) } : { name: words[0]!.toUpperCase() }, false);
    if (!cmd) return false;
    if (this.legacy) return this.putLegacy(cmd.code, params) !== null;
    if (!this.linkUp) return false;
    void this.tracker.run(cmd.code, cmd.name, params);
    return true;
  }

  readonly actions = {
    layout: () => ({ json: this.layout.json, configBytes: this.layout.config.size, telemetryBytes: this.layout.telemetry.size, headerBytes: this.decoder.headerSize, generation: this.legacy ? 'legacy' as const : 'current' as const }),
    config: () => this.config,
    telemetry: () => this.telemetrySnapshot(),
    nextTelemetry: async (a) => {
      if (a.skip > 0) await this.waitTelemetry(a.skip, a.timeoutS);
      return this.telemetrySnapshot();
    },
    history: (a) => this.tracker.list(a.limit),
    command: async (a) => {
      if (this.legacy) throw new ApiError('InvalidRequest', 'command: the legacy generation has no acknowledgements; use putCommand');
      const cmd = this.findCommand(a, true)!;
      if (!this.linkUp) throw new ApiError('NotConnected', `command ${cmd.name ?? cmd.code}: not connected to the controller, nothing was sent`);
      const record = await this.tracker.run(cmd.code, cmd.name, a.params);
      if (record.outcome === 'unsent') throw new ApiError('NotConnected', `command ${cmd.name ?? cmd.code}: ${record.reason}`);
      return record;
    },
    putCommand: (a) => {
      if (!this.legacy) throw new ApiError('InvalidRequest', 'putCommand is the legacy generation\'s; use command');
      const cmd = this.findCommand(a, true)!;
      const counter = this.putLegacy(cmd.code, a.params);
      if (counter === null) throw new ApiError('NotConnected', `putCommand ${cmd.name ?? cmd.code}: the command socket is not connected, nothing was sent`);
      return { counter, code: cmd.code, name: cmd.name, params: a.params };
    },
  } satisfies ActionHandlers<typeof HexrotActions>;

  dispose(): void {
    this.tracker.dispose();
    for (const w of this.telemetryWaiters) clearTimeout(w.timer);
    this.telemetryWaiters.clear();
  }

  // ------------------------------------------------------------ inbound

  /**
   * A sample's time: the frame header's own time (the controller's TAI clock, or
   * the mjd header's UTC), converted to the epoch; the receive time when the
   * header time is absent, going backwards, or more than a minute from the host's
   * clock (a controller whose clock is not set), with a warning that says so.
   */
  private sampleTime(received: number): number {
    const device = this.decoder.lastHeaderUtc;
    const sane = Number.isFinite(device) && device > 0 && Math.abs(device - received) < HEADER_TIME_TRUST_S
      && !(device < this.telemetryT - 1e-6);
    if (sane) {
      this.usingHeaderTime = true;
      return device;
    }
    if (this.usingHeaderTime !== false) {
      this.usingHeaderTime = false;
      this.clockWarning = `telemetry header time ${Number.isFinite(device) ? new Date(device * 1000).toISOString() : 'absent'} is ${Number.isFinite(device) ? `${(device - received).toFixed(1)} s from` : 'not'} the host's clock: samples are stamped with their receive time`;
    }
    return received;
  }

  private onTelemetry(values: Float64Array, received: number): void {
    const t = this.sampleTime(received);
    const ids = this.telemetryIds;
    for (let i = 0; i < ids.length; i++) this.ctx.sample(ids[i]!, t, values[i]!);
    this.telemetryT = t;
    this.telemetryCount++;
    if (this.telemetryWaiters.size) {
      for (const w of this.telemetryWaiters) if (this.telemetryCount >= w.target) w.resolve();
    }
  }

  private onConfig(values: Float64Array, texts: Record<string, string>, t: number): void {
    const ids = this.configIds;
    for (let i = 0; i < ids.length; i++) this.ctx.sample(ids[i]!, t, values[i]!);
    const s = this.layout.config;
    const fields: FieldValue[] = s.numeric.map((f, i) => fieldValue(f, f.type === 'bool' ? (values[i] ? 'true' : 'false') : values[i]!));
    for (const [name, value] of Object.entries(texts)) fields.push({ name, value });
    this.config = { struct: s.name, frameId: s.frameId, t, count: this.decoder.counters.configFrames, fields };
    this.ctx.event('config', this.config);
    if (this.ctx.consoleWanted()) this.ctx.console('rx', `CONFIG ${fields.map((f) => `${f.name}=${f.value}`).join(' ')}`, t);
  }

  private onStatus(counter: number, status: number, duration: number, reason: string): void {
    const before = this.tracker.ignoredStatuses;
    this.tracker.status(counter, status, duration, reason);
    if (this.tracker.ignoredStatuses !== before) {
      this.statusWarning = `ignored a COMMAND_STATUS for counter ${counter}: no command with that counter is waiting (next counter ${this.tracker.nextCounter})`;
    }
  }

  private onCommandRecord(record: CommandRecord): void {
    this.ctx.event('command', record);
    if (!this.ctx.consoleWanted()) return;
    const what = `${record.name ?? `code ${record.code}`} ${record.params.join(' ')} (counter ${record.counter})`;
    const t = Date.now() / 1000;
    switch (record.outcome) {
      case 'pending': this.ctx.console('tx', what, t); break;
      case 'ack': this.ctx.console('rx', `ACK ${what}: duration ${record.duration} s`, t); break;
      default: this.ctx.console('info', `${record.outcome.toUpperCase()} ${what}: ${record.reason}`, t);
    }
  }

  // ------------------------------------------------------------ helpers

  private findCommand(a: { name?: string; code?: number }, strict: boolean): { code: number; name: string | null } | null {
    const table: CommandJson[] = this.layout.commands;
    if (a.name !== undefined) {
      const c = table.find((x) => x.name === a.name);
      if (c) return { code: c.code, name: c.name };
      if (!strict) return null;
      throw new ApiError('InvalidRequest', `no command "${a.name}" in layout ${this.layout.json.name} (known: ${table.map((x) => x.name).join(', ') || 'none'})`);
    }
    const c = table.find((x) => x.code === a.code);
    return { code: a.code!, name: c?.name ?? null };
  }

  private putLegacy(code: number, params: number[]): number | null {
    const counter = ((this.legacyCounters.get(code) ?? 0) + 1) >>> 0;
    const bytes = encodeLegacyCommand({ counter, code, params }, this.options.syncPattern, this.layout.littleEndian);
    if (!this.ctx.write(bytes)) return null;
    this.legacyCounters.set(code, counter);
    this.legacySent++;
    const name = this.layout.commands.find((c) => c.code === code)?.name ?? null;
    this.ctx.event('putCommand', { counter, code, name, params, t: Date.now() / 1000 });
    if (this.ctx.consoleWanted()) this.ctx.console('tx', `${name ?? `code ${code}`} ${params.join(' ')} (counter ${counter})`, Date.now() / 1000);
    return counter;
  }

  private telemetrySnapshot(): { t: number | null; count: number; fields: FieldValue[] } | null {
    if (this.telemetryCount === 0) return null;
    const values = this.decoder.telemetryReader.values;
    return { t: this.telemetryT, count: this.telemetryCount, fields: this.layout.telemetry.numeric.map((f, i) => fieldValue(f, values[i]!)) };
  }

  private waitTelemetry(skip: number, timeoutS: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const w = {
        target: this.telemetryCount + skip,
        resolve: () => { clearTimeout(w.timer); this.telemetryWaiters.delete(w); resolve(); },
        timer: setTimeout(() => {
          this.telemetryWaiters.delete(w);
          reject(new ApiError('Timeout', `nextTelemetry: ${skip} telemetry frame(s) did not arrive within ${timeoutS} s`));
        }, timeoutS * 1000),
      };
      this.telemetryWaiters.add(w);
    });
  }
}

/** A field's value with its unit and, for a state field, the name of its value. */
function fieldValue(f: CompiledField, value: number | string): FieldValue {
  const label = typeof value === 'number' ? f.enum?.find((e) => e.value === value)?.name : undefined;
  return { name: f.name, value, ...(f.unit ? { unit: f.unit } : {}), ...(label ? { label } : {}) };
}
