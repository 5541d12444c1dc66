// The linter carries the house rules with their reasons: each rule below fires on a line
// that breaks it, with the message a reviewer would give, and stays quiet on the same
// line where the rule allows it.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

async function messages(file: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath: path.join(ROOT, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('house rules (eslint.config.js)', () => {
  it('the engine imports neither the UI, Electron nor app/', async () => {
    const out = await messages('main/hub/x.ts', "import React from 'react';\nimport { app } from 'electron';\nimport { startHost } from '../../app/host/server';\nexport const y = [React, app, startHost];\n");
    expect(out).toEqual([
      expect.stringContaining('React belongs in renderer/'),
      expect.stringContaining('only app/electron talks to Electron'),
      expect.stringContaining('Nothing imports app/'),
    ]);
  });

  it('shared/ and renderer/ import nothing Node-only; the UI never imports the engine', async () => {
    expect(await messages('shared/api/x.ts', "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n"))
      .toEqual([expect.stringContaining('Node-only module')]);
    expect(await messages('renderer/src/x.ts', "import { Hub } from '../../main/hub/hub';\nexport const y = Hub;\n"))
      .toEqual([expect.stringContaining('only through the API')]);
    expect(await messages('renderer/src/x.ts', "import { App } from './App';\nexport const y = App;\n")).toEqual([]);
  });

  it('no JSON on the telemetry path, no eval anywhere, no stray console in the engine', async () => {
    expect(await messages('main/telemetry/x.ts', 'export const y = JSON.stringify([1]);\n'))
      .toEqual([expect.stringContaining('no JSON per sample')]);
    expect(await messages('main/hub/x.ts', 'export const y = JSON.stringify([1]);\n')).toEqual([]);
    expect(await messages('renderer/src/x.ts', "export const y = eval('1');\n")).toEqual([expect.stringMatching(/^no-eval:/)]);
    expect(await messages('main/links/x.ts', "console.log('hi');\nconsole.error('handler threw');\n")).toEqual([expect.stringMatching(/^no-console:/)]);
  });

  it('hooks name what they depend on, and a disable comment that no longer means anything is refused', async () => {
    const hook = "import { useEffect } from 'react';\nexport function P({ n }: { n: number }) {\n  useEffect(() => { console.log(n); }, []);\n  return null;\n}\n";
    expect(await messages('renderer/src/x.tsx', hook)).toEqual([expect.stringMatching(/^react-hooks\/exhaustive-deps:.*'n'/)]);
    expect(await messages('main/hub/x.ts', '// eslint-disable-next-line no-console\nexport const y = 1;\n'))
      .toEqual([expect.stringContaining('Unused eslint-disable directive')]);
  });
});
