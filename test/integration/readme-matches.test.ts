// The README and the architecture page describe the product as it is: the demo
// bench's device count and names, folders that exist, no path outside the checkout.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDemoDevices } from '../../main/hub/demo';

const ROOT = path.resolve(__dirname, '../..');
const read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8');
const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

describe('README', () => {
  it('counts and names the demo bench devices the engine starts', async () => {
    const devices = await startDemoDevices();
    try {
      const readme = read('README.md');
      const m = /the demo bench runs (\w+) emulated devices/.exec(readme);
      expect(m, 'the README says how many devices the demo bench runs').not.toBeNull();
      expect(WORDS.indexOf(m![1]!)).toBe(devices.length);
      for (const d of devices) {
        const what = d.name.replace(/^Demo /, '').replace(/ on CAN.*$/, '').toLowerCase();
        expect(readme.toLowerCase(), d.name).toContain(what.split(' ').slice(-2).join(' '));
      }
    } finally {
      await Promise.all(devices.map((d) => d.close()));
    }
  });

  it('points inside the checkout, and the architecture page names folders that exist', () => {
    const readme = read('README.md');
    expect(readme).not.toMatch(/\.\.\/shared\//);
    expect(readme).toContain('docs/ARCHITECTURE.md');
    const arch = read('docs/ARCHITECTURE.md');
    for (const m of arch.matchAll(/`((?:app|main|shared|renderer|test)\/[\w./-]*)`/g)) {
      expect(existsSync(path.join(ROOT, m[1]!)), m[1]).toBe(true);
    }
  });
});
