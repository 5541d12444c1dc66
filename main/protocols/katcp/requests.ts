// Requests in flight and the replies and informs that belong to them. With
// message ids each request gets its own mid; without them a reply belongs to the
// oldest request of the same name still waiting, and so do informs of that name.
import { encodeMessage, type KatcpMessageView } from './codec';
import { ApiError } from '../../../shared/api/errors';
import type { KatcpReply } from '../../../shared/api/katcp';

export type { KatcpReply } from '../../../shared/api/katcp';

interface Pending {
  name: string;
  nameBytes: Uint8Array;
  mid: number | null;
  informs: string[][];
  timer: ReturnType<typeof setTimeout>;
  resolve(r: KatcpReply): void;
  reject(e: Error): void;
}

const MAX_MID = 2 ** 31 - 1;
/** Informs kept per request: a list request on a huge server must not eat the memory. */
const MAX_INFORMS = 100_000;
const encoder = new TextEncoder();

export class RequestTracker {
  useMids = false;
  /** Replies and informs with a mid no request is waiting for. */
  unknownMids = 0;
  lastUnknown: string | null = null;
  private nextMid = 1;
  private nextKey = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly byMid = new Map<number, Pending>();

  constructor(private readonly write: (line: string) => boolean, private readonly where: () => string) {}

  get size(): number {
    return this.pending.size;
  }

  has(name: string): boolean {
    for (const p of this.pending.values()) if (p.name === name) return true;
    return false;
  }

  send(name: string, args: readonly (string | number)[], timeoutMs: number): Promise<KatcpReply> {
    let mid: number | null = null;
    if (this.useMids) {
      while (this.byMid.has(this.nextMid)) this.nextMid = this.nextMid >= MAX_MID ? 1 : this.nextMid + 1;
      mid = this.nextMid;
      this.nextMid = this.nextMid >= MAX_MID ? 1 : this.nextMid + 1;
    }
    let line: string;
    try {
      line = encodeMessage('?', name, args, mid);
    } catch (e) {
      return Promise.reject(new ApiError('InvalidRequest', (e as Error).message));
    }
    return new Promise<KatcpReply>((resolve, reject) => {
      if (!this.write(line)) {
        reject(new ApiError('NotConnected', `?${name} not sent: ${this.where()} is not connected`));
        return;
      }
      const key = this.nextKey++;
      const p: Pending = {
        name, nameBytes: encoder.encode(name), mid, informs: [], resolve, reject,
        timer: setTimeout(() => {
          this.forget(key, p);
          reject(new ApiError('Timeout', `no !${name}${mid !== null ? `[${mid}]` : ''} reply from ${this.where()} within ${+(timeoutMs / 1000).toFixed(3)} s`));
        }, timeoutMs),
      };
      this.pending.set(key, p);
      if (mid !== null) this.byMid.set(mid, p);
    });
  }

  /** A reply: settles its request; false when no request was waiting for it. */
  onReply(v: KatcpMessageView): boolean {
    const found = this.find(v);
    if (!found) {
      if (v.mid === 0) {
        this.unknownMids++;
        this.lastUnknown = `${this.where()}: received !${v.name} but no ?${v.name} is waiting for a reply`;
      }
      return false;
    }
    const [key, p] = found;
    this.forget(key, p);
    const m = v.toMessage();
    p.resolve({ name: p.name, mid: p.mid, reply: m.args, informs: p.informs, ok: m.args[0] === 'ok' });
    return true;
  }

  /** An inform: kept with its request when it has one's mid (or, without mids, its name). */
  onInform(v: KatcpMessageView): boolean {
    const found = this.find(v);
    if (!found) return false;
    const p = found[1];
    if (p.informs.length < MAX_INFORMS) p.informs.push(v.toMessage().args);
    return true;
  }

  /** Every request still waiting fails: the connection went away. */
  failAll(reason: string): void {
    for (const [key, p] of [...this.pending]) {
      this.forget(key, p);
      p.reject(new ApiError('OperationFailure', `?${p.name} got no reply: ${reason}`));
    }
  }

  private find(v: KatcpMessageView): [number, Pending] | null {
    if (v.mid !== 0) {
      const p = this.byMid.get(v.mid);
      if (p && v.nameIs(p.nameBytes)) {
        for (const [key, q] of this.pending) if (q === p) return [key, p];
      }
      if (this.useMids) {
        this.unknownMids++;
        this.lastUnknown = `${this.where()}: received ${v.type === 33 ? '!' : '#'}${v.name}[${v.mid}] but no request with message id ${v.mid} (and that name) is waiting`;
        return null;
      }
    }
    for (const entry of this.pending) {
      if (entry[1].mid === null && v.nameIs(entry[1].nameBytes)) return entry;
    }
    return null;
  }

  private forget(key: number, p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(key);
    if (p.mid !== null) this.byMid.delete(p.mid);
  }
}
