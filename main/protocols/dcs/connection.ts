// One TCP connection from a would-be DHS, as DCSS handles it: stoc_send_client_type
// in v1, 1000 ms for htos_client_is_hardware, the checks, then every message in the
// hardware server's version, handed to the DCSS core.
import { DecimalScanner } from '../lines/decimal';
import { DcsDecoder, encodeMessage, fitsV1, quoteBytes, type DcsVersion } from './codec';
import { REFUSAL_DELAY_MS, type Dcss, type DhsPeer, type Refusal } from './dcss';
import { stoh, words } from './messages';

/** DCSS waits this long for htos_client_is_hardware after stoc_send_client_type. */
export const CLIENT_TYPE_TIMEOUT_MS = 1000;

/** One connection: the v1 handshake, then messages in the hardware server's version. */
export class DhsConnection {
  dhsName: string | null = null;
  phase: 'handshake' | 'checking' | 'registered' | 'rejected' | 'closed' = 'handshake';
  readonly decoder: DcsDecoder;
  private version: DcsVersion = 1;
  private timer: ReturnType<typeof setTimeout> | null;
  private readonly text = new TextDecoder('utf-8', { fatal: false });
  private readonly scanner = new DecimalScanner();

  constructor(private readonly dcss: Dcss, readonly peer: DhsPeer, maxTextLength: number, t: number) {
    this.decoder = new DcsDecoder({ mode: 1, maxTextLength, source: `connection from ${peer.label}` }, {
      message: (b, s, e, time, v) => this.message(b, s, e, time, v),
      problem: (text, time) => {
        dcss.counters.frameErrors++;
        dcss.lastError = text;
        dcss.info(text, time);
      },
    });
    this.send(stoh.sendClientType());
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.phase === 'handshake') this.reject(null, `no htos_client_is_hardware within ${CLIENT_TYPE_TIMEOUT_MS} ms of stoc_send_client_type`);
    }, CLIENT_TYPE_TIMEOUT_MS);
    dcss.info(`${peer.label} connected; sent stoc_send_client_type, waiting ${CLIENT_TYPE_TIMEOUT_MS} ms for htos_client_is_hardware`, t);
  }

  get closed(): boolean {
    return this.phase === 'closed';
  }

  push(chunk: Uint8Array, t: number): void {
    if (this.phase === 'rejected' || this.phase === 'closed') return;
    const resyncs = this.decoder.counters.resyncs;
    this.decoder.push(chunk, t);
    this.dcss.counters.resyncs += this.decoder.counters.resyncs - resyncs;
  }

  /** Sends one message in this connection's version; `echo` false when the caller shows it itself. */
  send(text: string, echo = true): boolean {
    if (this.phase === 'closed' || this.phase === 'rejected') return false;
    if (this.version === 1 && !fitsV1(text)) this.dcss.info(`${text.split(' ')[0]} is longer than a v1 frame: cut at 200 bytes`);
    const ok = this.peer.write(encodeMessage(text, this.version));
    if (ok) {
      this.dcss.countTx();
      if (echo) this.dcss.hooks.console('tx', text, Date.now() / 1000);
    }
    return ok;
  }

  /** The link went down (or the session closed). */
  detach(reason: string, t: number): void {
    if (this.phase === 'closed') return;
    const wasRegistered = this.phase === 'registered';
    this.phase = 'closed';
    this.stopTimer();
    this.decoder.reset();
    this.dcss.disconnected(this, wasRegistered ? this.dhsName : null, reason, t);
  }

  private message(b: Uint8Array, s: number, e: number, t: number, v: DcsVersion): void {
    const dcss = this.dcss;
    dcss.counters.rxMessages++;
    const hooks = dcss.hooks;
    if (this.phase === 'registered') {
      if (dcss.positionUpdate(this, b, s, e, t, this.scanner)) {
        if (hooks.consoleWanted()) hooks.console('rx', this.text.decode(b.subarray(s, e)), t);
        return;
      }
      const text = this.text.decode(b.subarray(s, e));
      hooks.console('rx', text, t);
      if (v === 1 && this.version === 1 && /^\d/.test(text)) {
        dcss.problem(`${this.dhsName}: received what looks like a v2 header (${quoteBytes(b, s, e)}) but "${this.dhsName}" is configured for protocol 1`, t);
        return;
      }
      dcss.handle(this, text, t);
      return;
    }
    const text = this.text.decode(b.subarray(s, e));
    hooks.console('rx', text, t);
    if (this.phase !== 'handshake') return; // messages while the address is looked up, or after a refusal
    // DCSS reads the answer with sscanf("%*s %s"): the first token is not checked, the name is
    // the second. SSRL's Tcl DHS library answers "htos_client_type_is_hardware <name> dcsProtocol_2.0".
    const [command, name] = words(text);
    if (!name) {
      this.reject(null, `expected "htos_client_is_hardware <name>" in answer to stoc_send_client_type, received ${quoteBytes(b, s, e)}`, REFUSAL_DELAY_MS.unknownName);
      return;
    }
    if (command !== 'htos_client_is_hardware' && command !== 'htos_client_type_is_hardware') {
      dcss.info(`${this.peer.label} answered stoc_send_client_type with "${command}"; the name is read from the second token, as DCSS does`, t);
    }
    this.stopTimer();
    this.phase = 'checking';
    const verdict = dcss.admit(this, name, quoteBytes(b, s, e));
    if (verdict instanceof Promise) void verdict.then((refusal) => this.admitted(name, refusal));
    else this.admitted(name, verdict);
  }

  private admitted(name: string, refusal: Refusal | null): void {
    if (this.phase !== 'checking') return;
    if (refusal) {
      this.reject(name, refusal.reason, refusal.closeAfterMs);
      return;
    }
    this.phase = 'registered';
    this.dhsName = name;
    const version = this.dcss.servers.get(name)!.config.protocol;
    this.version = version;
    this.decoder.setMode(version);
    this.decoder.source = `hardware server "${name}" at ${this.peer.label}`;
    this.dcss.registered(this, name);
  }

  /** Refuses the peer: counted and said now, closed after `closeAfterMs` (what it sends meanwhile is ignored). */
  private reject(name: string | null, reason: string, closeAfterMs = 0): void {
    this.stopTimer();
    this.phase = 'rejected';
    this.dcss.rejected(this, name, reason, closeAfterMs);
    if (closeAfterMs <= 0) {
      this.peer.close?.();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = null;
      this.peer.close?.();
    }, closeAfterMs);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
