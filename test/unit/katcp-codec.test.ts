import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KatcpDecoder, encodeMessage, escapeArg, parseDecimal, parseTypedRequest, type KatcpMessage } from '../../main/protocols/katcp/codec';

const enc = new TextEncoder();

function decodeAll(text: string | Uint8Array, opts: { maxLineLength?: number } = {}) {
  const messages: KatcpMessage[] = [];
  const bad: string[] = [];
  const d = new KatcpDecoder({ message: (v) => messages.push(v.toMessage()), bad: (reason) => bad.push(reason) }, { ...opts, source: 'tcp 127.0.0.1:7147' });
  d.push(typeof text === 'string' ? enc.encode(text) : text, 1);
  return { messages, bad, d };
}

describe('KATCP codec: grammar', () => {
  it('decodes the three message types, names with digits and dashes, and message ids', () => {
    const { messages } = decodeAll('?sensor-list\n!sensor-list[12] ok 3\n#version-connect katcp-protocol 5.1-MIB\n?x2-y\n');
    expect(messages).toEqual([
      { type: '?', name: 'sensor-list', mid: null, args: [] },
      { type: '!', name: 'sensor-list', mid: 12, args: ['ok', '3'] },
      { type: '#', name: 'version-connect', mid: null, args: ['katcp-protocol', '5.1-MIB'] },
      { type: '?', name: 'x2-y', mid: null, args: [] },
    ]);
  });

  it('decodes every escape and the empty argument', () => {
    const { messages } = decodeAll('#x a\\_b c\\\\d \\0\\n\\r\\e\\t \\@ x\\@y\n');
    expect(messages[0]!.args).toEqual(['a b', 'c\\d', '\0\n\r\x1b\t', '', 'xy']);
  });

  it('takes runs of spaces and tabs as one separator, trailing and leading blanks included', () => {
    const { messages } = decodeAll('  #x   a \t b\t\t\n');
    expect(messages[0]!.args).toEqual(['a', 'b']);
  });

  it('ends lines at CR or LF: CRLF is one message and an ignored empty line', () => {
    const { messages, d } = decodeAll('#a 1\r\n#b 2\r#c 3\n \t \n');
    expect(messages.map((m) => m.name)).toEqual(['a', 'b', 'c']);
    expect(d.counters.badLines).toBe(0);
    expect(d.counters.emptyLines).toBe(2);
  });

  it('passes UTF-8 bytes through', () => {
    const { messages } = decodeAll('#log info 1.5 drive température\\_°C\n');
    expect(messages[0]!.args[3]).toBe('température °C');
  });

  it('accepts the mids katcp-python accepts and aiokatcp refuses ([0], [05])', () => {
    const { messages } = decodeAll('!a[0] ok\n!b[05] ok\n');
    expect(messages.map((m) => m.mid)).toEqual([null, 5]);
  });

  it('joins a message split across chunks at any byte', () => {
    const text = '#sensor-status 1700000000.5 1 antenna.azimuth nominal 45.25\n!watchdog[7] ok\n';
    for (let cut = 1; cut < text.length; cut++) {
      const messages: KatcpMessage[] = [];
      const d = new KatcpDecoder({ message: (v) => messages.push(v.toMessage()) });
      d.push(enc.encode(text.slice(0, cut)), 1);
      d.push(enc.encode(text.slice(cut)), 1);
      expect(messages.length, `cut at ${cut}`).toBe(2);
      expect(messages[0]!.args[4]).toBe('45.25');
    }
  });
});

describe('KATCP codec: bad input', () => {
  it.each([
    ['xyz 1', /expected a message type/],
    ['?', /expected a message name/],
    ['?9abc', /expected a message name/],
    ['?na_me', /names are letters/],
    ['!a[ ok', /message id/],
    ['!a[12 ok', /message id/],
    ['!a[] ok', /message id/],
    ['!a[x] ok', /message id/],
    ['!a[99999999999] ok', /message id/],
    ['!a[4294967295] ok', /above 2147483647/],
    ['#a bad\\q', /unknown escape "\\q"/],
    ['#a trailing\\', /backslash at the end/],
  ])('rejects %j with a clear reason, and goes on with the next line', (line, reason) => {
    const { messages, bad, d } = decodeAll(`${line}\n#ok 1\n`);
    expect(bad[0]).toMatch(reason);
    expect(d.lastError).toContain('tcp 127.0.0.1:7147');
    expect(d.lastError).toContain('received');
    expect(d.counters.badLines).toBe(1);
    expect(messages).toEqual([{ type: '#', name: 'ok', mid: null, args: ['1'] }]);
  });

  it('discards an oversized line up to the next end of line, in one chunk or many, and resyncs', () => {
    const long = `#big ${'x'.repeat(3000)}\n#after 1\n`;
    const one = decodeAll(long, { maxLineLength: 1024 });
    expect(one.messages.map((m) => m.name)).toEqual(['after']);
    expect(one.d.counters.oversizedLines).toBe(1);
    expect(one.d.counters.resyncs).toBe(1);
    expect(one.d.lastError).toMatch(/longer than 1024 bytes/);

    const messages: string[] = [];
    const d = new KatcpDecoder({ message: (v) => messages.push(v.name) }, { maxLineLength: 1024 });
    const bytes = enc.encode(long);
    for (let i = 0; i < bytes.length; i += 100) d.push(bytes.subarray(i, i + 100), 1);
    expect(messages).toEqual(['after']);
    expect(d.counters.oversizedLines).toBe(1);
  });

  it('accepts a line of exactly the limit', () => {
    const line = `#a ${'y'.repeat(1024 - 3)}`;
    expect(line.length).toBe(1024);
    expect(decodeAll(`${line}\n`, { maxLineLength: 1024 }).messages.length).toBe(1);
    expect(decodeAll(`${line}z\n`, { maxLineLength: 1024 }).messages.length).toBe(0);
  });

  it('never throws on random bytes, and counts every line as a message, a bad line, an empty or an oversized one', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), (chunks) => {
      let n = 0;
      const d = new KatcpDecoder({ message: () => { n++; } }, { maxLineLength: 1024 });
      for (const c of chunks) d.push(c, 1);
      expect(n).toBe(d.counters.messages);
    }), { numRuns: 500 });
  });

  it('never throws on KATCP-looking garbage (escapes, brackets, blanks)', () => {
    const alphabet = fc.constantFrom(...'?!#ab-1[]\\_@ \t\r\n0e'.split(''));
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 400 }), (chars) => {
      const d = new KatcpDecoder({ message: (v) => { v.toMessage(); } }, { maxLineLength: 1024 });
      d.push(enc.encode(chars.join('')), 1);
    }), { numRuns: 1000 });
  });
});

describe('KATCP codec: encoding', () => {
  it('escapes backslash, space, NUL, LF, CR, ESC and TAB, and writes the empty argument as \\@', () => {
    expect(escapeArg('a b\\c\0d\ne\rf\x1bg\th')).toBe('a\\_b\\\\c\\0d\\ne\\rf\\eg\\th');
    expect(escapeArg('')).toBe('\\@');
    expect(encodeMessage('?', 'sensor-sampling', ['a,b', 'period', 0.5], 3)).toBe('?sensor-sampling[3] a,b period 0.5\n');
    expect(encodeMessage('!', 'x', [true, false, ''])).toBe('!x 1 0 \\@\n');
  });

  it('refuses a bad name or mid from our own code', () => {
    expect(() => encodeMessage('?', 'bad name')).toThrow(/names/);
    expect(() => encodeMessage('?', 'ok', [], 0)).toThrow(/message ids/);
    expect(() => encodeMessage('?', 'ok', [], 2 ** 31)).toThrow(/message ids/);
  });

  it('round-trips any arguments, any name and mid', () => {
    const name = fc.tuple(fc.constantFrom(...'abcXYZ'.split('')), fc.array(fc.constantFrom(...'az09-'.split('')), { maxLength: 12 })).map(([h, t]) => h + t.join(''));
    fc.assert(fc.property(
      fc.constantFrom('?' as const, '!' as const, '#' as const), name, fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 6 }),
      fc.option(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { nil: null }),
      (type, n, args, mid) => {
        // Lone surrogates cannot be UTF-8: the wire carries their replacement character.
        const clean = args.map((a) => new TextDecoder().decode(enc.encode(a)));
        const { messages, bad } = decodeAll(encodeMessage(type, n, clean, mid));
        expect(bad).toEqual([]);
        expect(messages).toEqual([{ type, name: n, mid, args: clean }]);
      },
    ), { numRuns: 300 });
  });
});

describe('KATCP codec: numbers and typed requests', () => {
  it('reads numbers from bytes like Number() does', () => {
    for (const t of ['0', '-1', '+2', '45.25', '1700000000.123456', '1e3', '-2.5E-3', '.5', '5.', '123456789012345678901', 'inf', '-inf', 'nan']) {
      const b = enc.encode(t);
      const want = t === 'inf' ? Infinity : t === '-inf' ? -Infinity : Number(t);
      expect(parseDecimal(b, 0, b.length), t).toBe(want);
    }
    for (const t of ['', '-', 'abc', '1.2.3', '1e', '0x10', '1,5']) {
      const b = enc.encode(t);
      expect(parseDecimal(b, 0, b.length), t).toBeNaN();
    }
  });

  it('gives the same double as Number() for any decimal a server prints', () => {
    const decimal = fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 19n }), fc.integer({ min: 0, max: 18 }), fc.option(fc.integer({ min: -30, max: 30 }), { nil: null }))
      .map(([neg, digits, point, exp]) => {
        const d = digits.toString();
        const at = Math.max(0, d.length - point);
        const text = `${neg ? '-' : ''}${d.slice(0, at) || '0'}${point ? `.${d.slice(at).padStart(point, '0')}` : ''}${exp === null ? '' : `e${exp}`}`;
        return text;
      });
    fc.assert(fc.property(decimal, (text) => {
      const b = enc.encode(text);
      expect(parseDecimal(b, 0, b.length)).toBe(Number(text));
    }), { numRuns: 2000 });
    const ts = enc.encode('1700000000.123456');
    expect(parseDecimal(ts, 0, ts.length)).toBe(1700000000.123456);
  });

  it('parses a request typed in the console, with or without "?"', () => {
    expect(parseTypedRequest('?sensor-value antenna.azimuth')).toEqual({ name: 'sensor-value', args: ['antenna.azimuth'] });
    expect(parseTypedRequest('  watchdog ')).toEqual({ name: 'watchdog', args: [] });
    expect(parseTypedRequest('?log-level a\\_b')).toEqual({ name: 'log-level', args: ['a b'] });
    expect(parseTypedRequest('!reply ok')).toBeNull();
    expect(parseTypedRequest('')).toBeNull();
  });
});
