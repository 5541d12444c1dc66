// The one error a request ends with, whichever layer refused it: a link, a protocol,
// the recorder, the datalogger or the hub. It carries what the reply carries (code,
// message, where in the params, the device's own refusal), so the hub sends it as it
// is; anything else thrown is a bug and becomes an UnexpectedError, counted, in one
// place (Hub.handle).
import type { ApiErrorBody, DeviceRefusal, ErrorCode } from './contract';

export interface ProblemIssue { path: string; message: string }

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: ProblemIssue[]; device?: DeviceRefusal } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get issues(): ProblemIssue[] | undefined { return this.extra.issues; }
  get device(): DeviceRefusal | undefined { return this.extra.device; }

  /** The error part of a reply. */
  body(): ApiErrorBody {
    return { code: this.code, message: this.message, ...(this.extra.issues ? { issues: this.extra.issues } : {}), ...(this.extra.device ? { device: this.extra.device } : {}) };
  }
}

/** The body of a reply for anything thrown: an ApiError as it is, anything else as an UnexpectedError. */
export function errorBody(e: unknown): ApiErrorBody {
  if (e instanceof ApiError) return e.body();
  return { code: 'UnexpectedError', message: `Unexpected error: ${(e as Error)?.message ?? String(e)}` };
}
