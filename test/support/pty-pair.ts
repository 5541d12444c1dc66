// Two connected pseudo-terminals from socat: the host (Benchscope) opens one,
// the emulated device or adapter the other. Killing socat gives no close event
// on the ports (ENVIRONMENT.md), so close() is for cleanup only.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, vi } from 'vitest';

export interface PtyPair { host: string; device: string; close(): void }

export async function ptyPair(prefix = 'benchscope-pty-'): Promise<PtyPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const host = path.join(dir, 'host');
  const device = path.join(dir, 'device');
  const socat: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${host}`, `pty,raw,echo=0,link=${device}`], { stdio: 'ignore' });
  await vi.waitFor(() => expect(fs.existsSync(host) && fs.existsSync(device)).toBe(true), { timeout: 5000, interval: 10 });
  return {
    host,
    device,
    close: () => {
      socat.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
