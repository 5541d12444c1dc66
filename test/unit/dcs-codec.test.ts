import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DcsDecoder, encodeV1, encodeV2, V1_FRAME_LENGTH, type DcsReadMode } from '../../main/protocols/dcs/codec';

const ascii = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

function decoder(mode: DcsReadMode, maxTextLength?: number) {
  const got: { text: string; version: number }[] = [];
  const d = new DcsDecoder({ mode, maxTextLength, source: 'DHS test at 127.0.0.1:1' }, {
    message: (b, s, e, _t, version) => got.push({ text: new TextDecoder().decode(b.subarray(s, e)), version }),
  });
  return { d, got, texts: () => got.map((g) => g.text) };
}

const commandText = fc.string({ minLength: 1, maxLength: 150, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_0123456789. -'.split('')) })
  .map((s) => `htos_${s}`.trim());

describe('DCS framing', () => {
  it('writes v1 as exactly 200 NUL-padded bytes and cuts longer text at 200', () => {
    const f = encodeV1('stoc_send_client_type');
    expect(f.length).toBe(V1_FRAME_LENGTH);
    expect(new TextDecoder().decode(f.subarray(0, 21))).toBe('stoc_send_client_type');
    expect(f.subarray(21).every((b) => b === 0)).toBe(true);
    const long = encodeV1(`htos_note ${'x'.repeat(300)}`);
    expect(long.length).toBe(200);
    const { d, texts } = decoder(1);
    d.push(long, 0);
    expect(texts()[0]!.length).toBe(200);
  });

  it('writes v2 as a "%12d %12d " header, the text with its NUL, then the binary part', () => {
    const f = encodeV2('stoh_abort_all soft');
    const text = new TextDecoder().decode(f);
    expect(text.slice(0, 26)).toBe(`${'20'.padStart(12)} ${'0'.padStart(12)} `);
    expect(text.slice(26)).toBe('stoh_abort_all soft\0');
    const withBinary = encodeV2('x', new Uint8Array([1, 2, 3]));
    expect(new TextDecoder().decode(withBinary.subarray(0, 26))).toBe(`${'2'.padStart(12)} ${'3'.padStart(12)} `);
    expect([...withBinary.subarray(28)]).toEqual([1, 2, 3]);
  });

  it('reads v1 and v2 streams cut anywhere into chunks, and coalesced frames, the same way (property)', () => {
    fc.assert(fc.property(
      fc.array(commandText, { minLength: 1, maxLength: 12 }),
      fc.constantFrom<1 | 2>(1, 2),
      fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 30 }),
      (texts, version, cuts) => {
        const stream = concat(...texts.map((t) => (version === 1 ? encodeV1(t) : encodeV2(t))));
        const { d, texts: got } = decoder(version);
        let pos = 0;
        let k = 0;
        while (pos < stream.length) {
          const n = cuts[k++ % cuts.length]!;
          d.push(stream.subarray(pos, pos + n), 0);
          pos += n;
        }
        expect(got()).toEqual(texts);
        expect(d.pendingBytes).toBe(0);
        expect(d.counters.badHeaders).toBe(0);
      },
    ), { numRuns: 200 });
  });

  it('reads each message as v1 or v2 in auto mode, as pydhsfw does', () => {
    const { d, got } = decoder('auto');
    d.push(concat(encodeV1('htos_client_is_hardware simdhs'), encodeV2('htos_note one'), encodeV1('htos_note two'), encodeV2('htos_note three')), 0);
    expect(got).toEqual([
      { text: 'htos_client_is_hardware simdhs', version: 1 },
      { text: 'htos_note one', version: 2 },
      { text: 'htos_note two', version: 1 },
      { text: 'htos_note three', version: 2 },
    ]);
  });

  it('reports a garbage header with what was received and expected, skips to the next NUL and carries on', () => {
    const { d, texts } = decoder(2);
    d.push(concat(ascii('GARBAGE!!! not a header at all, no'), new Uint8Array([0]), encodeV2('htos_note after')), 0);
    expect(texts()).toEqual(['htos_note after']);
    expect(d.counters.badHeaders).toBe(1);
    expect(d.counters.resyncs).toBe(1);
    expect(d.lastError).toMatch(/DHS test at 127\.0\.0\.1:1: bad v2 header "GARBAGE.*expected two lengths/);
  });

  it('is ready at the next byte after a bad header whose closing NUL is the last byte of a read', () => {
    const { d, texts } = decoder(2);
    const bad = concat(ascii('GARBAGE!!! not a header at all, no'), new Uint8Array([0]));
    d.push(bad, 0);
    for (const n of ['one', 'two', 'three']) d.push(encodeV2(`htos_note ${n}`), 0);
    expect(texts()).toEqual(['htos_note one', 'htos_note two', 'htos_note three']);
    expect(d.counters.badHeaders).toBe(1);
    expect(d.counters.discardedBytes).toBe(bad.length);
    // The same with the NUL run of a v1 frame sent by mistake ending the read.
    d.push(encodeV1('htos_note sent as v1, no digits first'), 0);
    d.push(encodeV2('htos_note four'), 0);
    expect(texts().at(-1)).toBe('htos_note four');
    expect(d.counters.badHeaders).toBe(2);
  });

  it('takes a v1 frame sent where v2 is expected for a bad header, and reads the next v2 message', () => {
    const { d, texts } = decoder(2);
    d.push(concat(encodeV1('htos_note v1'), encodeV2('htos_note v2')), 0);
    expect(texts()).toEqual(['htos_note v2']);
    expect(d.counters.badHeaders).toBe(1);
  });

  it('refuses negative, non-numeric and missing lengths', () => {
    for (const header of [`${'-5'.padStart(12)} ${'0'.padStart(12)} `, `${'12a'.padStart(12)} ${'0'.padStart(12)} `, `${'5'.padStart(25)} `, `${'1e3'.padStart(12)} ${'0'.padStart(12)} `]) {
      const { d, texts } = decoder(2);
      d.push(concat(ascii(header), ascii('junk\0'), encodeV2('htos_note ok')), 0);
      expect(d.counters.badHeaders, header).toBe(1);
      expect(texts(), header).toEqual(['htos_note ok']);
    }
  });

  it('skips an oversized text whole, by its announced length, and reads what follows', () => {
    const { d, texts } = decoder(2, 1000);
    const big = encodeV2(`htos_note ${'y'.repeat(5000)}`);
    d.push(concat(big, encodeV2('htos_note small')), 0);
    expect(texts()).toEqual(['htos_note small']);
    expect(d.counters.oversized).toBe(1);
    expect(d.lastError).toMatch(/5011 bytes is over the limit of 1000/);
  });

  it('skips a binary part and counts it', () => {
    const { d, texts } = decoder(2);
    d.push(concat(encodeV2('htos_note a', new Uint8Array(5000).fill(7)), encodeV2('htos_note b')), 0);
    expect(texts()).toEqual(['htos_note a', 'htos_note b']);
    expect(d.counters.binaryBytes).toBe(5000);
  });

  it('reads a text shorter than announced (no NUL) and resyncs after a length that is too short', () => {
    const { d, texts } = decoder(2);
    // Announces 4 bytes for "htos_note hello\0": the rest is read as a header, found bad.
    d.push(concat(ascii(`${'4'.padStart(12)} ${'0'.padStart(12)} htos_note hello\0`), encodeV2('htos_note next')), 0);
    expect(texts()).toEqual(['htos', 'htos_note next']);
    expect(d.counters.badHeaders).toBe(1);
  });

  it('holds a truncated frame until the rest comes, and drops it on reset', () => {
    const { d, texts } = decoder(2);
    const f = encodeV2('htos_note half');
    d.push(f.subarray(0, 30), 0);
    expect(texts()).toEqual([]);
    expect(d.pendingBytes).toBe(4);
    d.reset();
    expect(d.pendingBytes).toBe(0);
    d.push(encodeV2('htos_note whole'), 0);
    expect(texts()).toEqual(['htos_note whole']);
  });

  it('never throws on arbitrary bytes and never delivers a text over the limit (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(
        fc.uint8Array({ maxLength: 400 }),
        commandText.map((t) => encodeV2(t)),
        commandText.map((t) => encodeV1(t)),
        fc.string({ maxLength: 30, unit: fc.constantFrom(' ', '1', '9', '0', '-', '\0') }).map(ascii),
      ), { maxLength: 20 }),
      fc.constantFrom<DcsReadMode>(1, 2, 'auto'),
      (parts, mode) => {
        const { d, got } = decoder(mode, 256);
        for (const p of parts) d.push(p, 0);
        expect(d.counters.bytes).toBe(parts.reduce((n, p) => n + p.length, 0));
        for (const g of got) expect(new TextEncoder().encode(g.text).length).toBeLessThanOrEqual(256);
        // It still reads a clean message once the garbage is behind a NUL and a skipped text.
        d.reset();
        d.push(encodeV2('htos_note clean'), 0);
        if (mode !== 1) expect(got.at(-1)?.text).toBe('htos_note clean');
      },
    ), { numRuns: 300 });
  });
});
