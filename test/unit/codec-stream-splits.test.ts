// Every framing decoder of the engine, one property: any split of a byte stream into
// reads yields the same messages, the same problems, the same counters and the same
// last error as the whole stream in one read. The streams mix good frames with
// garbage, bad frames, truncated and oversized ones, so every resynchronisation path
// meets a read boundary somewhere. (The hexapod decoders have theirs in hexrot-codec.test.ts.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlcanDecoder, encodeSlcanFrame } from '../../main/links/can/slcan-codec';
import { DcsDecoder, encodeV1, encodeV2, type DcsReadMode } from '../../main/protocols/dcs/codec';
import { KatcpDecoder, encodeMessageBytes } from '../../main/protocols/katcp/codec';
import { LinesDecoder } from '../../main/protocols/lines/codec';
import { encodeRequest, encodeResponse, FrameDecoder } from '../../main/protocols/scrutiny/codec';

/** What a decoder made of a stream: every event in order, then its counters and last error. */
interface Outcome { events: string[]; counters: unknown; lastError: string | null }

type Run = (reads: Uint8Array[]) => Outcome;

const T = 1_700_000_000;
const ascii = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0) & 0xff));
const text = (b: Uint8Array, s = 0, e = b.length): string => String.fromCharCode(...b.subarray(s, e));

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The stream cut at the given offsets (each read a copy, as a socket hands them over). */
function split(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
  const reads: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, stream.length]) {
    if (c > prev) reads.push(stream.slice(prev, c));
    prev = c;
  }
  return reads;
}

const garbage = fc.uint8Array({ minLength: 1, maxLength: 40 });
/** A prefix of a good frame: the rest never comes. */
const truncated = (frame: fc.Arbitrary<Uint8Array>) => frame.chain((f) => fc.integer({ min: 1, max: Math.max(1, f.length - 1) }).map((n) => f.slice(0, n)));
const token = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_0123456789.-'.split('')) });

/** `framingErrors` false for a framing that has none (v1 DCS: any 200 bytes are a frame). */
function holdsForAnySplit(pieces: fc.Arbitrary<Uint8Array>, run: Run, numRuns = 300, framingErrors = true): void {
  let withErrors = 0;
  let withEvents = 0;
  fc.assert(fc.property(
    fc.array(pieces, { minLength: 1, maxLength: 14 }),
    fc.array(fc.nat(), { maxLength: 40 }),
    (parts, cuts) => {
      const stream = concat(parts);
      const whole = run([stream]);
      if (whole.lastError !== null) withErrors++;
      if (whole.events.length > 1) withEvents++;
      expect(run(split(stream, cuts))).toEqual(whole);
      // One byte per read: the finest split of all.
      expect(run(split(stream, [...Array(stream.length).keys()]))).toEqual(whole);
    },
  ), { numRuns, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) });
  // The streams did exercise both paths: messages, and errors to resynchronise from.
  if (framingErrors) expect(withErrors).toBeGreaterThan(numRuns / 10);
  expect(withEvents).toBeGreaterThan(numRuns / 10);
}

describe('any split of a stream into reads gives what the whole stream gives', () => {
  describe('DCS (both framings, a registered DHS or a handshake in auto mode)', () => {
    const dcsText = fc.array(token, { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
    const v2 = dcsText.map((t) => encodeV2(t));
    const v1 = dcsText.map((t) => encodeV1(t));
    const pieces = fc.oneof(
      { arbitrary: v2, weight: 4 },
      { arbitrary: v1, weight: 2 },
      // A binary part (skipped), an oversized text (skipped whole), stray NULs.
      dcsText.chain((t) => fc.uint8Array({ maxLength: 30 }).map((bin) => encodeV2(t, bin))),
      fc.integer({ min: 301, max: 600 }).map((n) => encodeV2('x'.repeat(n))),
      fc.integer({ min: 1, max: 5 }).map((n) => new Uint8Array(n)),
      // Bad headers: garbage, a header with its NUL at any place, a negative or huge length.
      garbage,
      fc.integer({ min: 0, max: 25 }).map((k) => { const h = ascii('#'.repeat(26)); h[k] = 0; return h; }),
      fc.constantFrom(ascii('          -5            0 '), ascii('99999999999999999999999999'), ascii('           3   999999999999 ')),
      truncated(v2),
    );
    for (const mode of [2, 1, 'auto'] as DcsReadMode[]) {
      it(`reads in mode ${mode}`, () => {
        holdsForAnySplit(pieces, (reads) => {
          const events: string[] = [];
          const d = new DcsDecoder({ mode, maxTextLength: 300, source: 'DHS under test' }, {
            message: (b, s, e, _t, v) => events.push(`v${v} ${text(b, s, e)}`),
            problem: (p) => events.push(`problem ${p}`),
          });
          for (const r of reads) d.push(r, T);
          return { events: [...events, `pending ${d.pendingBytes}`], counters: { ...d.counters }, lastError: d.lastError };
        }, 300, mode !== 1);
      });
    }
  });

  describe('Scrutiny (responses on the host side, requests on the device side)', () => {
    const payload = fc.uint8Array({ maxLength: 40 });
    const response = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 6 }), payload)
      .map(([cmd, subfn, code, p]) => encodeResponse(cmd, subfn, code, p));
    const request = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 255 }), payload)
      .map(([cmd, subfn, p]) => encodeRequest(cmd, subfn, p));
    const badCrc = (frame: fc.Arbitrary<Uint8Array>) => frame.map((f) => { const g = f.slice(); g[g.length - 1] ^= 0x5a; return g; });
    /** A header announcing more than the decoder takes. */
    const oversized = (header: number[]) => fc.integer({ min: 65, max: 0xffff }).map((n) => Uint8Array.from([...header, n >> 8, n & 0xff]));
    const cases = [
      { kind: 'response' as const, frame: response, oversized: oversized([0x81, 1, 0]) },
      { kind: 'request' as const, frame: request, oversized: oversized([0x01, 1]) },
    ];
    for (const c of cases) {
      it(`decodes ${c.kind}s`, () => {
        const pieces = fc.oneof({ arbitrary: c.frame, weight: 4 }, badCrc(c.frame), c.oversized, garbage, truncated(c.frame));
        holdsForAnySplit(pieces, (reads) => {
          const events: string[] = [];
          const d = new FrameDecoder({ kind: c.kind, maxPayload: 64, rxTimeoutS: 0.05, source: 'udp 127.0.0.1:8765' }, (cmd, subfn, code, p) => {
            events.push(`${cmd}.${subfn} ${code} ${[...p].join(',')}`);
          });
          for (const r of reads) d.push(r, T);
          return { events, counters: { ...d.counters }, lastError: d.lastError };
        });
      });
    }
  });

  it('KATCP: messages, bad lines, oversized and empty lines, CR LF and garbage', () => {
    const message = fc.tuple(fc.constantFrom<'?' | '!' | '#'>('?', '!', '#'), token.filter((t) => /^[a-z]/.test(t)), fc.array(fc.oneof(token, fc.constant('two words'), fc.constant('')), { maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 999 })))
      .map(([type, name, args, mid]) => encodeMessageBytes(type, name.replace(/[_.]/g, '-'), args, mid));
    const pieces = fc.oneof(
      { arbitrary: message, weight: 4 },
      fc.constantFrom(ascii('?bad name!\n'), ascii('!123\n'), ascii('#x[1\n'), ascii('\n'), ascii('\r\n'), ascii('?watchdog\r\n'), ascii('?a \\q\n')),
      fc.integer({ min: 65, max: 200 }).map((n) => ascii(`#log ${'y'.repeat(n)}\n`)),
      garbage,
      truncated(message),
    );
    holdsForAnySplit(pieces, (reads) => {
      const events: string[] = [];
      const d = new KatcpDecoder({
        message: (m) => events.push(JSON.stringify(m.toMessage())),
        bad: (reason, raw) => events.push(`bad ${reason} ${[...raw].join(',')}`),
      }, { maxLineLength: 64, source: 'tcp 127.0.0.1:7147' });
      for (const r of reads) d.push(r, T);
      return { events: [...events, `pending ${d.pendingBytes}`], counters: { ...d.counters }, lastError: d.lastError };
    });
  });

  describe('lines (CSV with a header, key=value, JSON)', () => {
    const num = fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => String(Math.round(v * 100) / 100));
    const formats = {
      csv: { line: fc.array(num, { minLength: 1, maxLength: 4 }).map((v) => `${v.join(',')}\n`), extra: fc.constant('time,a,b\n') },
      kv: { line: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'temp'), num), { minLength: 1, maxLength: 3 }).map((kv) => `${kv.map(([k, v]) => `${k}=${v}`).join(' ')}\r\n`), extra: fc.constant('# comment\n') },
      json: { line: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), num), { minLength: 1, maxLength: 3 }).map((kv) => `{${kv.map(([k, v]) => `"${k}":${v}`).join(',')}}\n`), extra: fc.constant('{"a": [1, 2], "n": {"x": true}}\n') },
    } as const;
    for (const [format, g] of Object.entries(formats)) {
      it(`reads ${format}`, () => {
        const line = g.line.map(ascii);
        const pieces = fc.oneof(
          { arbitrary: line, weight: 4 },
          g.extra.map(ascii),
          fc.constantFrom(ascii('\n'), ascii('not a number here\n'), ascii('1,,x\n'), ascii('{"a": \n')),
          fc.integer({ min: 81, max: 200 }).map((n) => ascii(`${'7'.repeat(n)}\n`)),
          garbage,
          truncated(line),
        );
        holdsForAnySplit(pieces, (reads) => {
          const events: string[] = [];
          const names: string[] = [];
          const d = new LinesDecoder({ format: format as 'csv' | 'kv' | 'json', maxLineLength: 80 }, {
            signal: (name) => names.push(name) - 1,
            // Receive times are spread over the reads they came in (so they depend on the split): names and values only.
            sample: (id, _t, v) => events.push(`${names[id]} ${v}`),
            rawLine: (b, s, e, _t, ok) => events.push(`${ok ? 'line' : 'bad'} ${text(b, s, e)}`),
          });
          for (const r of reads) d.push(r, T);
          return { events: [...events, `pending ${d.pendingBytes}`], counters: { ...d.counters }, lastError: d.lastError };
        }, 150);
      });
    }
  });

  it('SLCAN: frames of every kind, replies, BEL, malformed and overlong lines, LF', () => {
    const frame = fc.record({
      id: fc.integer({ min: 0, max: 0x7ff }),
      extended: fc.boolean(),
      rtr: fc.boolean(),
      data: fc.uint8Array({ maxLength: 8 }),
    }).chain((f) => fc.option(fc.integer({ min: 0, max: 0xffff })).map((ms) => encodeSlcanFrame({
      ...f, data: f.rtr ? new Uint8Array(0) : f.data, fd: false, brs: false, dlc: f.data.length,
    }, ms ?? undefined)));
    const pieces = fc.oneof(
      { arbitrary: frame, weight: 4 },
      fc.constantFrom(ascii('\r'), ascii('\x07'), ascii('z\r'), ascii('F00\r'), ascii('F0C\r'), ascii('V1013\r'), ascii('\n'), ascii('t12\r'), ascii('tXYZ1AA\r'), ascii('t1239\r'), ascii('q\r')),
      fc.integer({ min: 161, max: 300 }).map((n) => ascii(`${'t'.repeat(n)}\r`)),
      garbage,
      truncated(frame),
    );
    holdsForAnySplit(pieces, (reads) => {
      const events: string[] = [];
      const d = new SlcanDecoder('slcan /dev/pts/7', {
        frame: (f, ms) => events.push(`${f.id} ${f.extended} ${f.rtr} ${[...f.data].join(',')} ${ms}`),
        reply: (ok) => events.push(`reply ${ok}`),
        line: (l) => events.push(`line ${l}`),
      });
      for (const r of reads) d.push(r, T);
      return { events, counters: { ...d.counters }, lastError: d.lastProblem };
    });
  });
});
