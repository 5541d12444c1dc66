// The hub's doors, validation and dispatch. Every door (Electron IPC, WebSocket,
// in-process) hands the hub text requests and gets text replies, events and binary
// telemetry frames back. Each request is checked here, once, against the contract's
// schema for its method (zod's issue paths kept in the reply), then handed to its
// entry in the handler table; whatever it throws becomes a typed error reply, and
// nothing a client sends can throw out of the hub.
import {
  type ApiErrorBody, type Handler, type HandlerTable, type Method, type ParsedParams, type Result, type ServerStatus,
  issuesOf, MAX_REQUEST_BYTES, RequestEnvelope, RequestSchemas,
} from '../../shared/api/contract';
import { ApiError, errorBody } from '../../shared/api/errors';
import type { TelemetryBatcher } from '../telemetry/batcher';
import { ClientOutbox, type OutboxCounters } from './client-outbox';
import type { ClientState, HubCounters, HubEvents } from './events';

export interface ClientDoor {
  sendText(text: string): void;
  sendBinary(frame: ArrayBuffer): void;
  /** True while the door's outgoing buffer is over its bound: telemetry waits. */
  isBusy(): boolean;
}

export interface HubConnection {
  /** Hands one inbound text frame to the hub; the reply goes out through the door. */
  receive(text: string): void;
  /** A binary frame from a client is not part of the contract: it is counted as invalid. */
  receiveBinary(byteLength: number): void;
  close(): void;
}

export interface DoorsContext {
  batcher: TelemetryBatcher;
  events: HubEvents;
  counters: HubCounters;
  outboxCounters: OutboxCounters;
  handlers: HandlerTable<Method, ClientState>;
  status(): ServerStatus;
}

type Reply = { id: number | null; ok: boolean; result?: unknown; error?: ApiErrorBody };

export class HubDoors {
  constructor(private readonly d: DoorsContext) {}

  connect(door: ClientDoor): HubConnection {
    const { events, counters } = this.d;
    const client: ClientState = {
      door,
      telemetry: this.d.batcher.addClient((frame) => {
        events.count(frame.byteLength);
        door.sendBinary(frame);
      }, door.isBusy),
      outbox: new ClientOutbox(door, this.d.outboxCounters),
      consoleSession: null,
    };
    events.clients.add(client);
    events.sendEvent(client, { event: 'status', data: this.d.status() });
    return {
      receive: (text) => { void this.receive(client, text); },
      receiveBinary: (n) => {
        counters.fromClients.add(n);
        counters.msgReceived++;
        counters.invalidRequestCount++;
        this.reply(client, { id: null, ok: false, error: { code: 'InvalidRequest', message: 'Binary frames are not requests: send JSON text' } });
      },
      close: () => {
        events.watchConsole(client, null);
        this.d.batcher.removeClient(client.telemetry);
        if (events.clients.delete(client)) counters.departedDroppedSamples += client.telemetry.stats.samplesDropped;
      },
    };
  }

  /** The in-process door: a request straight to the hub, validated like any other. */
  call<M extends Method>(method: M, params: unknown = {}): Promise<Result<M>> {
    return new Promise((resolve, reject) => {
      const conn = this.connect({
        sendText: (text) => {
          const msg = JSON.parse(text);
          if (msg.id !== 1) return;
          conn.close();
          if (msg.ok) resolve(msg.result);
          else reject(new ApiError(msg.error.code, msg.error.message, { issues: msg.error.issues, device: msg.error.device }));
        },
        sendBinary: () => undefined,
        isBusy: () => false,
      });
      conn.receive(JSON.stringify({ id: 1, method, params }));
    });
  }

  private async receive(client: ClientState, text: string): Promise<void> {
    const { counters } = this.d;
    counters.fromClients.add(text.length);
    counters.msgReceived++;
    let id: number | null = null;
    try {
      if (text.length > MAX_REQUEST_BYTES) throw new ApiError('InvalidRequest', `Request too large: ${text.length} bytes (at most ${MAX_REQUEST_BYTES})`);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new ApiError('InvalidRequest', `Not JSON: ${text.slice(0, 60)}${text.length > 60 ? '…' : ''}`);
      }
      if (raw && typeof raw === 'object' && typeof (raw as { id?: unknown }).id === 'number') id = (raw as { id: number }).id;
      const env = RequestEnvelope.safeParse(raw);
      if (!env.success) throw new ApiError('InvalidRequest', 'A request is {id: integer, method: string, params?: object}', { issues: issuesOf(env.error) });
      // The table is what the hub answers: a name without an entry is unknown, whatever a client believes the contract holds.
      if (!this.answers(env.data.method)) throw new ApiError('InvalidRequest', `Unknown method "${env.data.method}"`);
      const result = await this.dispatch(client, env.data.method, env.data.params ?? {});
      this.reply(client, { id: env.data.id, ok: true, result: result ?? null });
    } catch (e) {
      // The one place where something thrown becomes a reply: an ApiError as it is, anything else counted as unexpected.
      const err = errorBody(e);
      if (err.code === 'InvalidRequest') counters.invalidRequestCount++;
      if (err.code === 'UnexpectedError') counters.unexpectedErrorCount++;
      this.reply(client, { id, ok: false, error: err });
    }
  }

  private answers(name: string): name is Method {
    return Object.prototype.hasOwnProperty.call(this.d.handlers, name);
  }

  /** Parses the params with `method`'s schema, then runs its handler with what was parsed. */
  private async dispatch<M extends Method>(client: ClientState, method: M, raw: unknown): Promise<Result<M>> {
    const params = RequestSchemas[method].safeParse(raw);
    if (!params.success) {
      const issues = issuesOf(params.error);
      throw new ApiError('InvalidRequest', `Invalid parameters for ${method}: ${issues.map((i) => `${i.path || '(params)'}: ${i.message}`).join('; ')}`, { issues });
    }
    const handler: Handler<M, ClientState> = this.d.handlers[method];
    // RequestSchemas[method] parsed it; indexing the schemas by a generic method widens the output to every method's.
    return handler(params.data as ParsedParams<M>, client);
  }

  private reply(client: ClientState, msg: Reply): void {
    this.d.events.send(client, JSON.stringify(msg));
  }
}
