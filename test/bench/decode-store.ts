// Decode + store budget (DESIGN.md "Budgets"): numeric CSV lines pushed in 64 KiB
// chunks through the lines decoder into the telemetry store, on one core; and the
// store's bytes per sample.
import type { LinesOptionsInput } from '../../shared/api/lines-options';
import { LinesDecoder } from '../../main/protocols/lines/codec';
import { TelemetryStore } from '../../main/telemetry/store';

const COLUMNS = 8;
const LINES = 100_000;
const CHUNK = 64 * 1024;
const RUNS = 7;

/** A device's CSV: an epoch timestamp column then 7 values of mixed magnitude and sign. */
function csvText(lines: number): Uint8Array {
  const parts: string[] = [`t,${Array.from({ length: COLUMNS - 1 }, (_, c) => `ch${c + 1}`).join(',')}\n`];
  let seed = 12345;
  const rand = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 0x100000000;
  };
  for (let i = 0; i < lines; i++) {
    const row = [(1_700_000_000 + i / 1000).toFixed(3)];
    for (let c = 1; c < COLUMNS; c++) {
      const v = (rand() - 0.5) * 10 ** (c % 4);
      row.push(c % 3 === 0 ? String(Math.round(v)) : v.toFixed(c % 2 === 0 ? 6 : 3));
    }
    parts.push(`${row.join(',')}\n`);
  }
  return new TextEncoder().encode(parts.join(''));
}

function reformat(csv: Uint8Array, format: 'kv' | 'json'): Uint8Array {
  const [head, ...rows] = new TextDecoder().decode(csv).trimEnd().split('\n');
  const names = head!.split(',');
  const lines = rows.map((row) => {
    const values = row.split(',');
    return format === 'kv'
      ? names.map((n, c) => `${n}=${values[c]}`).join(' ')
      : `{${names.map((n, c) => `"${n}":${values[c]}`).join(',')}}`;
  });
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

function runOnce(text: Uint8Array, options: LinesOptionsInput): { samplesPerSecond: number; store: TelemetryStore } {
  const store = new TelemetryStore();
  const decoder = new LinesDecoder(options, {
    signal: (name) => store.declare('bench', name),
    sample: (id, t, v) => store.append(id, t, v),
  });
  const start = performance.now();
  for (let at = 0; at < text.length; at += CHUNK) decoder.push(text.subarray(at, at + CHUNK), 1_700_000_000);
  const seconds = (performance.now() - start) / 1000;
  if (decoder.counters.badLines !== 0) throw new Error(`bench input rejected: ${decoder.lastError}`);
  return { samplesPerSecond: decoder.counters.samples / seconds, store };
}

function bestOf(text: Uint8Array, options: LinesOptionsInput): { samplesPerSecond: number; store: TelemetryStore } {
  let best = runOnce(text, options);
  for (let run = 1; run < RUNS; run++) {
    const r = runOnce(text, options);
    if (r.samplesPerSecond > best.samplesPerSecond) best = r;
  }
  return best;
}

export async function benchDecodeStore(): Promise<{ name: string; value: number; unit: string; budget?: number }[]> {
  const csv = csvText(LINES);
  const plain = bestOf(csv, { format: 'csv', separator: ',' });
  const timed = bestOf(csv, { format: 'csv', separator: ',', timestampColumn: 't' });
  const kv = bestOf(reformat(csv, 'kv'), { format: 'auto' });
  const json = bestOf(reformat(csv, 'json'), { format: 'auto' });
  const mb = (csv.length / 1e6).toFixed(1);
  return [
    { name: `lines decode+store, numeric CSV, ${COLUMNS} columns (${mb} MB in 64 KiB chunks, best of ${RUNS})`, value: plain.samplesPerSecond, unit: 'samples/s', budget: 2_000_000 },
    { name: `lines decode+store, numeric CSV, device timestamp column + ${COLUMNS - 1} signals`, value: timed.samplesPerSecond, unit: 'samples/s', budget: 2_000_000 },
    { name: `lines decode+store, key=value pairs, ${COLUMNS} per line, format auto`, value: kv.samplesPerSecond, unit: 'samples/s' },
    { name: `lines decode+store, JSON objects, ${COLUMNS} members per line, format auto`, value: json.samplesPerSecond, unit: 'samples/s' },
    { name: 'telemetry store memory', value: plain.store.bytesPerSample(), unit: 'bytes/sample', budget: 16 },
  ];
}
