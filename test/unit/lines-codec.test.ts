import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LinesDecoder, type LinesSink } from '../../main/protocols/lines/codec';
import { DecimalScanner } from '../../main/protocols/lines/decimal';
import { LinesOptionsSchema, type LinesOptionsInput } from '../../shared/api/lines-options';

const enc = new TextEncoder();
const T = 1_700_000_000;

interface Sample { name: string; t: number; v: number }

/** A sink that records samples by name, every signal() call, and every raw line. */
function recorder() {
  const names: string[] = [];
  const samples: Sample[] = [];
  const raw: { text: string; ok: boolean; t: number }[] = [];
  const sink: LinesSink = {
    signal: (name) => {
      names.push(name);
      return names.length - 1;
    },
    sample: (id, t, v) => samples.push({ name: names[id]!, t, v }),
    rawLine: (bytes, start, end, t, ok) => raw.push({ text: new TextDecoder().decode(bytes.subarray(start, end)), ok, t }),
  };
  return { names, samples, raw, sink };
}

function decode(text: string | Uint8Array, options: LinesOptionsInput = {}, t = T) {
  const r = recorder();
  const d = new LinesDecoder(options, r.sink);
  d.push(typeof text === 'string' ? enc.encode(text) : text, t);
  return { ...r, d };
}

const values = (samples: Sample[], name: string) => samples.filter((s) => s.name === name).map((s) => s.v);

describe('lines codec: CSV', () => {
  it('takes a first line that is not all numbers as the header and names the columns after it', () => {
    const { samples, names, d } = decode('time,temp,rpm\n1,20.5,1500\n2,21,-1.5e3\n');
    expect(names).toEqual(['time', 'temp', 'rpm']);
    expect(values(samples, 'temp')).toEqual([20.5, 21]);
    expect(values(samples, 'rpm')).toEqual([1500, -1500]);
    expect(samples.every((s) => Math.abs(s.t - T) < 1e-3)).toBe(true);
    expect(d.counters).toMatchObject({ lines: 3, headers: 1, samples: 6, badLines: 0 });
  });

  it('names columns field1..N when the first line is all numbers', () => {
    const { names, samples } = decode('1,2,3\n4,5,6\n');
    expect(names).toEqual(['field1', 'field2', 'field3']);
    expect(values(samples, 'field3')).toEqual([3, 6]);
  });

  it('with header "absent", a text line is a bad line, not a header', () => {
    const { names, d } = decode('a,b\n1,2\n', { header: 'absent' });
    expect(names).toEqual(['field1', 'field2']);
    expect(d.counters.badLines).toBe(1);
    expect(d.lastError).toBe('line 1: field "field1" is not a number: "a"');
  });

  it('with header "present", the first line names the columns even when it is numeric', () => {
    const { names } = decode('10,20\n1,2\n', { header: 'present' });
    expect(names).toEqual(['10', '20']);
  });

  it('reports a field that is not a number, by line and column name, with no sample from that line', () => {
    const { samples, d } = decode('x,y\n1,2\n3,1.2.3\n5,6\n');
    expect(d.lastError).toBe('line 3: field "y" is not a number: "1.2.3"');
    expect(d.counters.badLines).toBe(1);
    expect(values(samples, 'x')).toEqual([1, 5]);
  });

  it('cuts long text in error messages and escapes control bytes', () => {
    const { d } = decode(`a,b\n1,${'z'.repeat(500)}\n2,\u0001q\n`);
    expect(d.lastError).toBe('line 3: field "b" is not a number: "\\x01q"');
    const long = decode(`a,b\n1,${'z'.repeat(500)}\n`).d.lastError!;
    expect(long.length).toBeLessThan(100);
    expect(long.endsWith('…"')).toBe(true);
  });

  it('detects the separator per line: comma first, then semicolon, tab, space', () => {
    expect(values(decode('a;b\n1;2\n').samples, 'b')).toEqual([2]);
    expect(values(decode('a\tb\n1\t2\n').samples, 'b')).toEqual([2]);
    expect(values(decode('a b\n1   2\n').samples, 'b')).toEqual([2]); // runs of spaces are one separator
    expect(values(decode('a;b,c\n1;2,3\n').samples, 'a;b')).toEqual([]); // comma wins: "1;2" is not a number
    expect(values(decode('a, b ,c\n 1 , 2,3 \n').samples, 'b')).toEqual([2]); // blanks around fields are trimmed
  });

  it('keeps empty fields as missing values without shifting columns', () => {
    const { samples } = decode('a,b,c\n1,,3\n\t,5,\n', { separator: ',' });
    expect(values(samples, 'a')).toEqual([1]);
    expect(values(samples, 'b')).toEqual([5]);
    expect(values(samples, 'c')).toEqual([3]);
  });

  it('with a fixed tab separator, a leading tab is an empty first field', () => {
    const { samples } = decode('a\tb\n\t7\n', { separator: '\t' });
    expect(values(samples, 'a')).toEqual([]);
    expect(values(samples, 'b')).toEqual([7]);
  });

  it('handles CRLF, empty lines and comments', () => {
    const { samples, d, raw } = decode('# boot\r\na,b\r\n\r\n\n1,2\r\n   \n# ok\n3,4\n');
    expect(values(samples, 'b')).toEqual([2, 4]);
    expect(d.counters).toMatchObject({ comments: 2, emptyLines: 3, badLines: 0, lines: 5 });
    expect(raw.map((r) => r.text)).toEqual(['# boot', 'a,b', '1,2', '# ok', '3,4']);
    expect(raw.every((r) => r.ok)).toBe(true);
  });

  it('takes a later line of text fields only as a new header, but not a one-word message', () => {
    const { samples, d } = decode('a,b\n1,2\nc,d\n3,4\nCalibrating\n5,6\n');
    expect(values(samples, 'c')).toEqual([3, 5]);
    expect(values(samples, 'a')).toEqual([1]);
    expect(d.counters.headers).toBe(2);
    expect(d.counters.badLines).toBe(1);
  });

  it('skips noise before the header: an unusable header candidate does not end header detection', () => {
    const { names, d } = decode('\u0000\u0007,\u00ff\nx,y\n1,2\n');
    expect(names).toEqual(['x', 'y']);
    expect(d.counters.badLines).toBe(1);
    expect(d.lastError).toMatch(/^line 1: header field 1 is not a usable name/);
  });

  it('strips quotes around header names and numbers', () => {
    const { samples } = decode('"a","b"\n"1",2\n');
    expect(values(samples, 'a')).toEqual([1]);
    expect(values(samples, 'b')).toEqual([2]);
  });

  it('reads nan, inf, hex and booleans through the slow path', () => {
    const { samples, d } = decode('a,b,c,d,e,f\nnan,-inf,Infinity,0x1F,true,FALSE\n');
    expect(d.counters.badLines).toBe(0);
    expect(samples.map((s) => s.v)).toEqual([NaN, -Infinity, Infinity, 31, 1, 0]);
  });

  it('calls signal() once per new name over many lines', () => {
    const lines = ['a,b', ...Array.from({ length: 100 }, (_, i) => `${i},${-i}`)].join('\n');
    const { names, samples } = decode(`${lines}\n`);
    expect(names).toEqual(['a', 'b']);
    expect(samples.length).toBe(200);
  });
});

describe('lines codec: numbers from bytes', () => {
  const parse = (s: string): { ok: boolean; v: number } => {
    const sc = new DecimalScanner();
    const b = enc.encode(s);
    const v = sc.parseField(b, 0, b.length);
    return { ok: sc.ok, v };
  };

  it('gives exactly the double Number() gives, for any double in any JS formatting', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: 20 }), (x, digits) => {
      for (const s of [String(x), x.toExponential(), x.toExponential(digits), x.toPrecision(digits + 1), Math.abs(x) < 1e21 ? x.toFixed(digits) : String(x)]) {
        const r = parse(s);
        expect(r.ok, s).toBe(true);
        expect(Object.is(r.v, Number(s)), `${s}: ${r.v} vs ${Number(s)}`).toBe(true);
      }
    }), { numRuns: 3000 });
  });

  it('gives Number()\'s double for decimal strings of many digits and any exponent', () => {
    const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 30 });
    fc.assert(fc.property(fc.boolean(), digits, fc.option(digits), fc.option(fc.integer({ min: -400, max: 400 })), (neg, int, frac, exp) => {
      const s = `${neg ? '-' : ''}${int}${frac === null ? '' : `.${frac}`}${exp === null ? '' : `e${exp}`}`;
      const r = parse(s);
      expect(r.ok).toBe(true);
      expect(Object.is(r.v, Number(s)), s).toBe(true);
    }), { numRuns: 3000 });
  });

  it('accepts the odd forms devices print and refuses what is not a number', () => {
    for (const [s, v] of [['1.', 1], ['.5', 0.5], ['+.5e-3', 0.0005], ['-0', -0], ['0e999', 0], ['1e400', Infinity], ['1e-400', 0],
      ['-0x10', -16], ['"2.5"', 2.5], ['-Inf', -Infinity], ['true', 1]] as const) {
      const r = parse(s);
      expect(r.ok, s).toBe(true);
      expect(Object.is(r.v, v), s).toBe(true);
    }
    for (const s of ['1e', '--1', '1.2.3', '+', '.', '-', 'e5', '1,5', '0x', 'nanx', '1 2', '\u00001', '-true', '"', '1e+']) {
      expect(parse(s).ok, JSON.stringify(s)).toBe(false);
    }
  });
});

describe('lines codec: key=value', () => {
  it('reads a=1 b=2, a:1,b:2, a=1;b=2 and a: 1, b: 2', () => {
    for (const line of ['a=1 b=2', 'a:1,b:2', 'a=1;b=2', 'a: 1, b: 2', 'a = 1 b = 2', '  a=1\tb=2  ']) {
      const { samples, d } = decode(`${line}\n`);
      expect(d.counters.badLines, line).toBe(0);
      expect(samples.map((s) => [s.name, s.v]), line).toEqual([['a', 1], ['b', 2]]);
    }
  });

  it('ignores text values, quoted strings and empty values', () => {
    const { samples, d } = decode('state=idle temp=21.5 label="hot, very" n= rpm=3\n');
    expect(d.counters.badLines).toBe(0);
    expect(samples.map((s) => s.name)).toEqual(['temp', 'rpm']);
  });

  it('refuses a value that starts like a number but is not one, with no sample from that line', () => {
    const { samples, d } = decode('a=1 x=1.2.3\n');
    expect(samples).toEqual([]);
    expect(d.lastError).toBe('line 1: field "x" is not a number: "1.2.3"');
  });

  it('finds signals by name bytes and calls signal() once per name', () => {
    const text = Array.from({ length: 50 }, (_, i) => `volt=${i} amp:${i / 2}`).join('\n');
    const { names, samples } = decode(`${text}\n`);
    expect(names).toEqual(['volt', 'amp']);
    expect(values(samples, 'amp')[49]).toBe(24.5);
  });

  it('refuses a name with invalid UTF-8 or control bytes', () => {
    const bad = new Uint8Array([...enc.encode('ok=1 '), 0xc3, 0x28, ...enc.encode('=2\n')]);
    const { samples, d } = decode(bad);
    expect(samples).toEqual([]);
    expect(d.counters.badLines).toBe(1);
    expect(d.lastError).toMatch(/^line 1: field name ".*" is not usable$/);
  });
});

describe('lines codec: JSON', () => {
  it('reads a member with no value as missing, even when the line was put together from single-byte reads', () => {
    // The line buffer still holds the earlier line's bytes past this one's end ('0' where the value would be).
    const stream = enc.encode('{"a":0}\n{"b":\n');
    const r = recorder();
    const d = new LinesDecoder({ format: 'json' }, r.sink);
    for (let k = 0; k < stream.length; k++) d.push(stream.subarray(k, k + 1), T);
    expect(values(r.samples, 'a')).toEqual([0]);
    expect(r.names).toEqual(['a']);
    expect(d.lastError).toBe('line 2: JSON: missing value at column 6');
    expect(d.counters).toMatchObject({ badLines: 1 });
  });
  it('flattens nested objects with dots; numbers and booleans become samples, the rest is ignored', () => {
    const { samples, d } = decode('{"imu": {"x": 1.5, "y": -2, "deep": {"z": 3e2}}, "ok": true, "bad": false, "s": "x,}", "n": null, "arr": [1, {"a": [2]}], "k": 7}\n');
    expect(d.counters.badLines).toBe(0);
    expect(samples.map((s) => [s.name, s.v])).toEqual([['imu.x', 1.5], ['imu.y', -2], ['imu.deep.z', 300], ['ok', 1], ['bad', 0], ['k', 7]]);
  });

  it('decodes keys with escapes', () => {
    const { names } = decode('{"a\\"b": 1, "\\u00e9t\\u00e9": 2}\n');
    expect(names).toEqual(['a"b', 'été']);
  });

  it('a broken object yields no sample and says where', () => {
    for (const [line, msg] of [
      ['{"a": 1, "b": 2', "expected ',' or '}' at column 16"],
      ['{"a": 1 "b": 2}', "expected ',' or '}' at column 9"],
      ['{"a" 1}', "expected ':' after the key at column 6"],
      ['{a: 1}', 'expected a quoted key at column 2'],
      ['{"a": 1}}', 'text after the closing } at column 9'],
      ['{"a": -}', 'bad number at column 7'],
      ['{"a": NaN}', 'unexpected character at column 7'],
      ['{"a": [1, 2}', "expected ',' or ']' at column 12"],
      ['{"a": "x}', 'unterminated string at column 7'],
    ] as const) {
      const { samples, d } = decode(`${line}\n`);
      expect(samples, line).toEqual([]);
      expect(d.lastError, line).toBe(`line 1: JSON: ${msg}`);
    }
  });

  it('refuses objects nested deeper than 32', () => {
    const deep = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    const { d } = decode(`${deep}\n`);
    expect(d.counters.badLines).toBe(1);
    expect(d.lastError).toMatch(/nested deeper than 32/);
  });

  it('with format json, a line that is not an object is bad', () => {
    const { d } = decode('a=1\n', { format: 'json' });
    expect(d.lastError).toBe('line 1: expected a JSON object, got "a=1"');
  });
});

describe('lines codec: timestamps', () => {
  it('takes the sample time from a named column, in the given unit', () => {
    const { samples, names } = decode('ms,v\n1700000000500,1\n', { timestampColumn: 'ms', timestampUnit: 'ms' });
    expect(names).toEqual(['v']);
    expect(samples).toEqual([{ name: 'v', t: 1_700_000_000.5, v: 1 }]);
  });

  it('takes it from a 1-based column index without a header', () => {
    const { samples } = decode('1700000000000000,5\n', { timestampColumn: '1', timestampUnit: 'us' });
    expect(samples).toEqual([{ name: 'field2', t: 1_700_000_000, v: 5 }]);
  });

  it('anchors a device clock counting from boot to the receive time, again after a reboot', () => {
    const r = recorder();
    const d = new LinesDecoder({ timestampColumn: 't', timestampUnit: 'ms' }, r.sink);
    d.push(enc.encode('t=1000 v=1\nt=1500 v=2\n'), 100);
    d.push(enc.encode('t=10 v=3\n'), 200);
    const times = r.samples.map((s) => s.t);
    [100, 100.5, 200].forEach((want, i) => expect(times[i]).toBeCloseTo(want, 5));
  });

  it('kv and JSON lines name the timestamp field', () => {
    expect(decode('{"t": 1700000001, "v": 2}\n', { timestampColumn: 't' }).samples).toEqual([{ name: 'v', t: 1_700_000_001, v: 2 }]);
    expect(decode('t=1700000002,v=3\n', { timestampColumn: 't' }).samples).toEqual([{ name: 'v', t: 1_700_000_002, v: 3 }]);
  });

  it('a line without its timestamp, or with one that is not finite, is bad', () => {
    expect(decode('a,b\n1,2\n', { timestampColumn: 't' }).d.lastError).toBe('line 2: timestamp column "t" is not in the header (a, b): waiting for a header line naming it');
    expect(decode('t,b\n,2\n', { timestampColumn: 't' }).d.lastError).toBe('line 2: no timestamp in column 1 ("t")');
    expect(decode('t,b\ninf,2\n', { timestampColumn: 't' }).d.lastError).toBe('line 2: timestamp in column 1 is not a finite number');
    expect(decode('v=1\n', { timestampColumn: 't' }).d.lastError).toBe('line 1: no timestamp field "t"');
    expect(decode('{"v": 1}\n', { timestampColumn: 't' }).samples).toEqual([]);
  });
});

describe('lines codec: receive times', () => {
  it('spreads the lines of one chunk between the previous chunk and this one, the last at the chunk time', () => {
    const r = recorder();
    const d = new LinesDecoder({}, r.sink);
    d.push(enc.encode('a=1\n'), T);
    d.push(enc.encode('a=2\na=3\na=4\na=5\n'), T + 0.02);
    const times = r.samples.map((s) => s.t - T);
    [0, 0.005, 0.01, 0.015, 0.02].forEach((want, i) => expect(times[i]).toBeCloseTo(want, 6));
  });

  it('a 200 Hz device read every 10 ms gives 200 distinct, increasing times a second', () => {
    const r = recorder();
    const d = new LinesDecoder({}, r.sink);
    let n = 0;
    for (let read = 1; read <= 100; read++) {
      d.push(enc.encode(`v=${n++}\nv=${n++}\n`), T + read * 0.01);
    }
    const times = r.samples.map((s) => s.t);
    expect(new Set(times).size).toBe(200);
    // The first read has no previous one to spread from: its two lines are a microsecond apart.
    expect(times[1]! - times[0]!).toBeCloseTo(1e-6, 6);
    for (let i = 2; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(0.005, 6);
  });

  it('a burst after a long silence is spread over at most a second, not over the silence', () => {
    const r = recorder();
    const d = new LinesDecoder({}, r.sink);
    d.push(enc.encode('v=1\n'), T);
    d.push(enc.encode('v=2\nv=3\n'), T + 60);
    expect(r.samples.map((s) => s.t - T)).toEqual([0, 59.5, 60]);
  });

  it('lines of a chunk received no later than the previous one still get distinct times', () => {
    const r = recorder();
    const d = new LinesDecoder({}, r.sink);
    d.push(enc.encode('v=1\nv=2\n'), T);
    d.push(enc.encode('v=3\nv=4\n'), T);
    d.push(enc.encode('v=5\n'), T - 1);
    const times = r.samples.map((s) => s.t);
    expect(new Set(times).size).toBe(5);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
  });

  it('samples of one line share its time', () => {
    const { samples } = decode('1,2,3\n4,5,6\n');
    expect(new Set(samples.slice(0, 3).map((s) => s.t)).size).toBe(1);
    expect(samples[3]!.t).toBeGreaterThan(samples[0]!.t);
  });

  it('a device time column keeps its own times, however many lines share a chunk', () => {
    const { samples } = decode('t,v\n1700000000.25,1\n1700000000.25,2\n1700000000.5,3\n', { timestampColumn: 't' }, T + 7);
    expect(samples.map((s) => s.t)).toEqual([1_700_000_000.25, 1_700_000_000.25, 1_700_000_000.5]);
  });

  it('any split into reads at increasing times: line times strictly increase and never precede the previous read', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.double({ min: 0, max: 2, noNaN: true })), { minLength: 1, maxLength: 40 }), (reads) => {
      const r = recorder();
      const d = new LinesDecoder({}, r.sink);
      let t = T;
      let n = 0;
      const bounds: { low: number; high: number }[] = [];
      let previous = -Infinity;
      for (const [lines, dt] of reads) {
        t += dt;
        let text = '';
        for (let k = 0; k < lines; k++) {
          text += `v=${n++}\n`;
          bounds.push({ low: Math.max(previous, t - 1), high: t + lines * 1e-6 });
        }
        d.push(enc.encode(text), t);
        if (lines > 0) previous = t;
      }
      const times = r.samples.map((s) => s.t);
      expect(times.length).toBe(n);
      for (let i = 0; i < times.length; i++) {
        if (i > 0) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
        expect(times[i]!).toBeGreaterThanOrEqual(bounds[i]!.low - 1e-6);
        expect(times[i]!).toBeLessThanOrEqual(bounds[i]!.high + n * 1e-6);
      }
    }), { numRuns: 300 });
  });
});

describe('lines codec: a missed header named in the options', () => {
  it('waits for a header line naming the timestamp column, says so, and uses the next one when it comes', () => {
    const r = recorder();
    const d = new LinesDecoder({ timestampColumn: 't' }, r.sink);
    // The port opened after the device printed "t,volts": data lines come first.
    d.push(enc.encode('0.5,1.25\n1.0,1.5\n'), T);
    expect(r.samples).toEqual([]);
    expect(d.counters.badLines).toBe(2);
    expect(d.awaitedHeader).toBe('t');
    expect(d.lastError).toBe('line 2: waiting for a header line naming the timestamp column "t" (the device may have printed it before the port opened)');
    d.push(enc.encode('t,volts\n2.0,1.75\n'), T + 1);
    expect(d.awaitedHeader).toBeNull();
    expect(r.names).toEqual(['volts']);
    expect(values(r.samples, 'volts')).toEqual([1.75]);
  });

  it('with header "present", a numeric first line is not taken for the header the options name', () => {
    const r = recorder();
    const d = new LinesDecoder({ header: 'present', timestampColumn: 'ms', timestampUnit: 'ms' }, r.sink);
    d.push(enc.encode('1700000000000,3\nms,amps\n1700000000500,4\n'), T);
    expect(r.names).toEqual(['amps']);
    expect(r.samples).toEqual([{ name: 'amps', t: 1_700_000_000.5, v: 4 }]);
  });

  it('a header found while awaiting may carry numeric-looking names beside the awaited one', () => {
    const { names, samples } = decode('1,2\n"t",2\n5,6\n', { timestampColumn: 't', header: 'auto' });
    expect(names).toEqual(['2']);
    expect(samples.map((s) => s.v)).toEqual([6]);
  });

  it('awaits nothing when the timestamp column is an index, or the format is not CSV', () => {
    expect(decode('1700000000,2\n', { timestampColumn: '1' }).d.awaitedHeader).toBeNull();
    expect(decode('v=1\n', { timestampColumn: 't' }).d.awaitedHeader).toBeNull();
  });
});

describe('lines codec: renamed and removed signals, new options on a running link', () => {
  it('names a field by its new name and makes no signal of a removed one', () => {
    const { names, samples, d } = decode('a,b,c\n1,2,3\n', { rename: { a: 'volts' }, remove: ['b'] });
    expect(names).toEqual(['volts', 'c']);
    expect(samples.map((s) => [s.name, s.v])).toEqual([['volts', 1], ['c', 3]]);
    expect(d.counters.badLines).toBe(0);
    expect(decode('a=1 b=2\n', { remove: ['b'] }).names).toEqual(['a']);
    expect(decode('{"a":{"x":1},"b":2}\n', { rename: { 'a.x': 'ax' }, remove: ['b'] }).names).toEqual(['ax']);
  });

  it('removed names do not count against maxSignals', () => {
    const { names } = decode('a=1 b=2 c=3\n', { maxSignals: 2, remove: ['a'] });
    expect(names).toEqual(['b', 'c']);
  });

  it('a decoder replacing another keeps its counters, partial line and CSV header', () => {
    const r = recorder();
    const first = new LinesDecoder({}, r.sink);
    first.push(enc.encode('t,volts,amps\n1,2,3\n4,5'), T);
    const second = new LinesDecoder({ timestampColumn: 't', rename: { volts: 'V' }, remove: ['amps'] }, r.sink, first);
    second.push(enc.encode(',6\n'), T + 1);
    expect(second.counters).toMatchObject({ lines: 3, headers: 1, samples: 4, bytes: first.counters.bytes + 3 });
    expect(r.names).toEqual(['t', 'volts', 'amps', 'V']);
    expect(r.samples.at(-1)).toMatchObject({ name: 'V', v: 5 });
  });

  it('with header "absent" the new decoder forgets the old header', () => {
    const r = recorder();
    const first = new LinesDecoder({}, r.sink);
    first.push(enc.encode('x,y\n'), T);
    const second = new LinesDecoder({ header: 'absent' }, r.sink, first);
    second.push(enc.encode('1,2\n'), T);
    expect(r.names).toEqual(['field1', 'field2']);
  });
});

describe('lines codec: limits and garbage', () => {
  it('counts, reports and skips an oversized line, then resyncs on the next newline', () => {
    for (const split of [false, true]) {
      const r = recorder();
      const d = new LinesDecoder({ maxLineLength: 16 }, r.sink);
      const text = enc.encode(`a,b\n${'9'.repeat(40)}\n1,2\n`);
      if (split) for (let i = 0; i < text.length; i += 5) d.push(text.subarray(i, i + 5), T);
      else d.push(text, T);
      expect(d.counters, `split ${split}`).toMatchObject({ oversizedLines: 1, resyncs: 1, badLines: 0, samples: 2, discardedBytes: 41 });
      expect(d.lastError).toBe('line 2: longer than 16 bytes, skipped up to the next newline');
      expect(values(r.samples, 'b')).toEqual([2]);
    }
  });

  it('a line of exactly maxLineLength bytes passes with LF and with CRLF', () => {
    const line = `1,${'2'.repeat(14)}`;
    expect(decode(`${line}\n${line}\r\n`, { maxLineLength: 16 }).d.counters).toMatchObject({ oversizedLines: 0, samples: 4 });
    expect(decode(`${line}3\n`, { maxLineLength: 16 }).d.counters.oversizedLines).toBe(1);
  });

  it('reports an endless line before its newline arrives', () => {
    const d = new LinesDecoder({ maxLineLength: 16 }, recorder().sink);
    d.push(enc.encode('x'.repeat(100)), T);
    expect(d.counters.oversizedLines).toBe(1);
    expect(d.counters.resyncs).toBe(0);
    d.push(enc.encode('x'.repeat(100)), T);
    expect(d.counters.discardedBytes).toBe(200);
    expect(d.pendingBytes).toBe(0);
  });

  it('counts NUL bytes, invalid UTF-8 and binary garbage as bad lines', () => {
    const garbage = new Uint8Array([0x31, 0x00, 0x2c, 0x32, 0x0a, 0xff, 0xfe, 0x2c, 0x80, 0x0a, 0x01, 0x02, 0x0a, 0x33, 0x2c, 0x34, 0x0a]);
    const { samples, d } = decode(garbage, { header: 'absent' });
    expect(d.counters.badLines).toBe(3);
    expect(samples.map((s) => s.v)).toEqual([3, 4]);
  });

  it('stops creating signals at maxSignals and says so', () => {
    const text = Array.from({ length: 10 }, (_, i) => `n${i}=${i}`).join('\n');
    const { names, samples, d } = decode(`${text}\nn0=5\n`, { maxSignals: 3 });
    expect(names).toEqual(['n0', 'n1', 'n2']);
    expect(samples.length).toBe(4);
    expect(d.lastError).toMatch(/3 signals already, new names such as "n3" are ignored/);
  });

  it('reset() drops the partial line', () => {
    const r = recorder();
    const d = new LinesDecoder({}, r.sink);
    d.push(enc.encode('a=1\na=2'), T);
    d.reset();
    d.push(enc.encode('5\na=3\n'), T);
    expect(values(r.samples, 'a')).toEqual([1, 3]);
    expect(d.counters.discardedBytes).toBe(3);
  });

  it('raw lines: given without CR/LF, flagged ok or not, never for empty lines', () => {
    const { raw } = decode('a,b\r\n\n1,x\n{"a": 2}\n', {}, 42);
    expect(raw.map(({ text, ok }) => ({ text, ok }))).toEqual([{ text: 'a,b', ok: true }, { text: '1,x', ok: false }, { text: '{"a": 2}', ok: true }]);
    expect(raw.every((l) => Math.abs(l.t - 42) < 1e-3)).toBe(true);
  });

  it('refuses bad options with a readable message', () => {
    expect(() => new LinesDecoder({ maxLineLength: 3 }, recorder().sink)).toThrow(/at least 16/);
    expect(LinesOptionsSchema.parse({})).toEqual({ format: 'auto', separator: 'auto', header: 'auto', timestampColumn: null, timestampUnit: 's', maxLineLength: 4096, maxSignals: 256, rename: {}, remove: [] });
    expect(LinesOptionsSchema.safeParse({ rename: { a: 'x', b: 'x' } }).error?.issues[0]?.message).toBe('Two signals cannot be renamed to the same name');
    expect(LinesOptionsSchema.safeParse({ rename: { a: ' ' } }).error?.issues[0]?.message).toBe('A signal name cannot be empty');
  });
});

describe('lines codec: properties', () => {
  const lineArb = fc.oneof(
    fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 6 }).map((xs) => xs.map(String).join(',')),
    fc.array(fc.tuple(fc.constantFrom('a', 'b', 'imu.x'), fc.integer()), { minLength: 1, maxLength: 4 }).map((kv) => kv.map(([k, v]) => `${k}=${v}`).join(' ')),
    fc.record({ x: fc.integer(), y: fc.boolean(), s: fc.string() }).map((o) => JSON.stringify(o)),
    fc.constantFrom('', '# comment', 'h1,h2,h3', '1,2.5.6', '{"broken": ', 'x'.repeat(80)),
    fc.string({ maxLength: 30 }),
  );
  const streamArb = fc.tuple(fc.array(lineArb, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'))
    .map(([lines, eol]) => enc.encode(lines.map((l) => l + eol).join('')));

  function run(chunks: Uint8Array[]) {
    const r = recorder();
    const d = new LinesDecoder({ maxLineLength: 64 }, r.sink);
    for (const c of chunks) d.push(c, T);
    return { samples: r.samples, names: r.names, counters: { ...d.counters }, error: d.lastError };
  }

  it('any split of a stream into chunks yields the same samples and counts', () => {
    fc.assert(fc.property(streamArb, fc.array(fc.nat(), { maxLength: 20 }), (bytes, cuts) => {
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks: Uint8Array[] = [];
      let at = 0;
      for (const p of [...points, bytes.length]) {
        chunks.push(bytes.subarray(at, p));
        at = p;
      }
      const whole = run([bytes]);
      const split = run(chunks);
      // Receive times depend on how the bytes were read (ReceiveClock); what was decoded does not.
      const untimed = (xs: Sample[]) => xs.map(({ name, v }) => ({ name, v }));
      expect(untimed(split.samples)).toEqual(untimed(whole.samples));
      expect(split.names).toEqual(whole.names);
      expect(split.counters).toEqual(whole.counters);
    }), { numRuns: 500 });
  });

  it('any bytes: never throws, and every byte and every newline is accounted for', () => {
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.array(fc.constantFrom(0x0a, 0x0d, 0x2c, 0x3d, 0x3a, 0x7b, 0x7d, 0x22, 0x31, 0x2e, 0x65, 0x2d, 0x00, 0xff, 0x20, 0x23, 0x61), { maxLength: 600 })
        .map((a) => Uint8Array.from(a)),
    );
    fc.assert(fc.property(bytesArb, fc.integer({ min: 1, max: 97 }), (bytes, step) => {
      const r = recorder();
      const d = new LinesDecoder({ maxLineLength: 32 }, r.sink);
      for (let i = 0; i < bytes.length; i += step) d.push(bytes.subarray(i, i + step), T);
      const c = d.counters;
      expect(c.bytes).toBe(bytes.length);
      expect(c.lineBytes + c.discardedBytes + d.pendingBytes).toBe(bytes.length);
      expect(c.lines + c.emptyLines + c.resyncs).toBe(bytes.filter((b) => b === 0x0a).length);
      expect(c.samples).toBe(r.samples.length);
      expect(c.badLines + c.comments + c.headers).toBeLessThanOrEqual(c.lines);
    }), { numRuns: 1000 });
  });
});
