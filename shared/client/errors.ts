// Errors a client raises, mirroring the Scrutiny SDK's exceptions: invalid
// value, operation failure, timeout, connection error.
import type { ApiErrorBody, DeviceRefusal } from '../api/contract';

export class BenchscopeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The hub refused a parameter (or the client refused it before sending). */
export class InvalidValueError extends BenchscopeError {
  constructor(message: string, readonly issues: { path: string; message: string }[] = []) {
    super(message);
  }
}

/**
 * The hub understood the request but could not carry it out. `device` is set when
 * the device itself refused it (a KATCP server's `fail` or `invalid` and its
 * reason, as aiokatcp raises FailReply and InvalidReply).
 */
export class OperationFailureError extends BenchscopeError {
  constructor(message: string, readonly device: DeviceRefusal | null = null) {
    super(message);
  }
}

/** No answer (or no awaited change) in time. */
export class TimeoutError extends BenchscopeError {}

/** Not connected to the hub, or the connection was lost. */
export class ConnectionError extends BenchscopeError {}

export function errorFromReply(body: ApiErrorBody): BenchscopeError {
  switch (body.code) {
    case 'InvalidRequest': return new InvalidValueError(body.message, body.issues ?? []);
    case 'Timeout': return new TimeoutError(body.message);
    case 'NotConnected': return new ConnectionError(body.message);
    default: return new OperationFailureError(body.message, body.device ?? null);
  }
}
