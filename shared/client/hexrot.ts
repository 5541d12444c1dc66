// Typed hexapod/rotator helpers for scripts, over the hexrot session's actions:
// the current generation's acknowledged commands, the legacy generation's
// putCommand with the seed's counters, and nextTelemetry with the seed's
// semantics (skip frames, then the newest telemetry; skip 0 returns at once).
import { NEXT_TELEMETRY_DEFAULT_SKIP, type CommandRecord, type ConfigSnapshot, type PutCommandResult, type TelemetrySnapshot } from '../api/hexrot';
import type { SessionActions } from '../api/protocol-actions';
import type { BenchscopeClient } from './client';
import { InvalidValueError } from './errors';

type CommandRef = string | number;

function commandArgs(command: CommandRef, params: readonly number[]): { name?: string; code?: number; params: number[] } {
  if (params.length > 6) throw new InvalidValueError(`a command has six parameters at most, got ${params.length}`, [{ path: 'params', message: 'at most 6' }]);
  for (const [i, p] of params.entries()) {
    if (typeof p !== 'number' || !Number.isFinite(p)) throw new InvalidValueError(`parameter ${i + 1} is not a finite number`, [{ path: `params.${i}`, message: 'a finite number' }]);
  }
  if (typeof command === 'number') {
    if (!Number.isInteger(command) || command < 0 || command > 0xffffffff) throw new InvalidValueError(`command code ${command} is not a 32-bit unsigned integer`, [{ path: 'code', message: 'a u32' }]);
    return { code: command, params: [...params] };
  }
  return { name: command, params: [...params] };
}

/** One hexapod/rotator session, either generation. */
export class HexrotSession {
  private readonly act: SessionActions<'hexrot'>;

  constructor(client: BenchscopeClient, readonly sessionId: string) {
    this.act = client.actionsOf('hexrot', sessionId);
  }

  /** Current generation: sends a command and resolves with its record once ACK, NO_ACK or the timeout decided it. */
  async command(command: CommandRef, params: readonly number[] = []): Promise<CommandRecord> {
    return this.act('command', commandArgs(command, params), 15);
  }

  /** Legacy generation: puts a command on the command socket; the counter is per command code, from 1 (as the seed). */
  async putCommand(command: CommandRef, params: readonly number[] = []): Promise<PutCommandResult> {
    return this.act('putCommand', commandArgs(command, params));
  }

  /** Waits for `skip` new telemetry frames (0: none; 2 by default, as the seed), then returns the newest telemetry. */
  async nextTelemetry(skip = NEXT_TELEMETRY_DEFAULT_SKIP, timeoutS = 10): Promise<TelemetrySnapshot | null> {
    if (!Number.isInteger(skip) || skip < 0) throw new InvalidValueError(`skip must be a whole number, 0 or more (got ${skip})`, [{ path: 'skip', message: '0 or more' }]);
    return this.act('nextTelemetry', { skip, timeoutS }, timeoutS + 5);
  }

  /** The newest telemetry as a name -> value map (null before the first frame). */
  async telemetryValues(skip = 0): Promise<Record<string, number | string> | null> {
    const t = await this.nextTelemetry(skip);
    return t ? Object.fromEntries(t.fields.map((f) => [f.name, f.value])) : null;
  }

  /** The last configuration received (null before the first). */
  config(): Promise<ConfigSnapshot | null> {
    return this.act('config', {});
  }

  /** The last `limit` commands, oldest first, with their outcome (current generation). */
  history(limit = 50): Promise<CommandRecord[]> {
    return this.act('history', { limit });
  }
}
