// The SDK's public face: `import { BenchscopeClient } from 'benchscope/sdk'`.
export { BenchscopeClient } from './client';
export { CanSession } from './can';
export { HexrotSession } from './hexrot';
export type { ConnectOptions, MessagePipe, TelemetryHandler, WebSocketCtor, WebSocketLike } from './client';
export { BenchscopeError, ConnectionError, InvalidValueError, OperationFailureError, TimeoutError } from './errors';
export type * from '../api/contract';
export type { LinkSpec, LinkType } from '../api/link-config';
export { DATABASE_FILE_MAX_CHARS, describeNote, formatDatabaseFile, parseDatabaseFile } from '../dcs/database-file';
export type { DatabaseExport, DatabaseImport, DatabaseNote } from '../dcs/database-file';
export type { TelemetryBlock } from '../api/telemetry-frame';
export type * from '../api/capture';
export type * from '../api/can';
export type * from '../api/hexrot';
