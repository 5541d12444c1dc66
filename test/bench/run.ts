// `npm run bench`: the DESIGN.md budgets, measured. Prints one line per figure
// and exits non-zero when a figure misses its budget.
import { benchCan } from './can-frames';
import { benchChromium } from './chromium';
import { benchDcsDecode } from './dcs-decode';
import { benchDecodeStore } from './decode-store';
import { benchEngineToClient } from './engine-to-client';
import { benchHexrotDecodeStore } from './hexrot-decode-store';
import { benchKatcp } from './katcp-sensor-status';
import { benchRecord } from './record-throughput';
import { benchReplay } from './replay';
import { benchScrutiny } from './scrutiny-udp';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  budget?: number;
  /** For figures where smaller is better (bytes per sample, samples lost). */
  lowerIsBetter?: boolean;
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100);
}

// One after the other: each figure has the machine to itself. `npm run bench -- NAME…` runs some.
const BENCHES: Record<string, () => Promise<BenchResult[]>> = {
  'decode-store': benchDecodeStore,
  'engine-to-client': benchEngineToClient,
  chromium: () => benchChromium(),
  hexrot: benchHexrotDecodeStore,
  scrutiny: benchScrutiny,
  katcp: benchKatcp,
  dcs: benchDcsDecode,
  can: benchCan,
  record: benchRecord,
  replay: benchReplay,
};
const chosen = process.argv.slice(2);
const unknown = chosen.filter((n) => !(n in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
let missed = 0;
for (const [name, bench] of Object.entries(BENCHES)) {
  if (chosen.length && !chosen.includes(name)) continue;
  for (const r of await bench()) report(r);
}

function report(r: BenchResult): void {
  const lower = r.lowerIsBetter ?? r.unit.startsWith('bytes');
  const ok = r.budget === undefined || (lower ? r.value <= r.budget : r.value >= r.budget);
  if (!ok) missed++;
  const budget = r.budget === undefined ? '' : `  (budget ${lower ? '<=' : '>='} ${fmt(r.budget)})`;
  console.log(`${ok ? 'ok  ' : 'MISS'} ${r.name}: ${fmt(r.value)} ${r.unit}${budget}`);
}
process.exit(missed ? 1 : 0);
