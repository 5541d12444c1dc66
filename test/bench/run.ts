// `npm run bench`: the DESIGN.md budgets, measured. Prints one line per figure
// and exits non-zero when a figure misses its budget.
import { benchDecodeStore } from './decode-store';
import { benchEngineToClient } from './engine-to-client';

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

const results: BenchResult[] = [];
for (const bench of [benchDecodeStore, benchEngineToClient]) results.push(...(await bench()));
let missed = 0;
for (const r of results) {
  const lower = r.lowerIsBetter ?? r.unit.startsWith('bytes');
  const ok = r.budget === undefined || (lower ? r.value <= r.budget : r.value >= r.budget);
  if (!ok) missed++;
  const budget = r.budget === undefined ? '' : `  (budget ${lower ? '<=' : '>='} ${fmt(r.budget)})`;
  console.log(`${ok ? 'ok  ' : 'MISS'} ${r.name}: ${fmt(r.value)} ${r.unit}${budget}`);
}
process.exit(missed ? 1 : 0);
