// What every request to the headless host passes before anything else looks
// at it: a target that parses, a Host header naming this host (against DNS
// rebinding), no foreign browser origin, and a bound on wrong tokens per peer.
import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type http from 'node:http';

export const MIN_TOKEN_LENGTH = 16;

export type Refusal = { status: number; reason: string; headers?: Record<string, string> };

/** The request target as a URL, or null when it cannot be parsed (only origin-form targets are served). */
export function parseTarget(raw: string | undefined): URL | null {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//')) return null;
  try {
    return new URL(raw, 'http://localhost');
  } catch {
    return null;
  }
}

/** decodeURIComponent that answers null instead of throwing on a malformed escape. */
export function decodePath(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

/** Splits a Host header into name and port; null when it is not a plain host[:port]. */
function splitHost(header: string): { name: string; port: number | null } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header);
  if (!m) return null;
  return { name: m[1]!.toLowerCase(), port: m[2] === undefined ? null : Number(m[2]) };
}

export class RequestGuard {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly bound: { host: string; port: () => number },
    private readonly limit = { failures: 10, windowMs: 60_000 },
  ) {}

  /** Host and Origin (and Fetch Metadata) checks; null when the request may go on. */
  checkOrigin(req: http.IncomingMessage): Refusal | null {
    const hostHeader = req.headers.host;
    const host = hostHeader ? splitHost(hostHeader) : null;
    if (!host || !this.hostAllowed(host)) {
      return { status: 403, reason: `Host "${hostHeader ?? ''}" is not this Benchscope host (open it as http://127.0.0.1:${this.bound.port()}/)` };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${hostHeader}`) {
      return { status: 403, reason: `Requests from the page origin "${origin}" are refused: only the host's own pages and non-browser clients may use it` };
    }
    // A browser's no-cors GET carries no Origin; its Fetch Metadata still says where it came from.
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return { status: 403, reason: `Requests from another site (${site}) are refused` };
    }
    return null;
  }

  /** The token check, limited per peer: too many wrong tokens and the peer waits. */
  checkToken(req: http.IncomingMessage, given: string | null, token: string): Refusal | null {
    const peer = req.socket.remoteAddress ?? '?';
    const now = Date.now();
    const recent = (this.failures.get(peer) ?? []).filter((t) => now - t < this.limit.windowMs);
    if (recent.length >= this.limit.failures) {
      const waitS = Math.ceil((recent[0]! + this.limit.windowMs - now) / 1000);
      this.failures.set(peer, recent);
      return { status: 429, reason: `Too many wrong tokens from ${peer}: try again in ${waitS} s`, headers: { 'Retry-After': String(waitS) } };
    }
    if (given !== null && tokenMatches(given, token)) return null;
    recent.push(now);
    this.failures.set(peer, recent);
    if (this.failures.size > 10_000) this.forgetOldest(now);
    return { status: 401, reason: 'A valid token is required' };
  }

  private forgetOldest(now: number): void {
    for (const [peer, times] of this.failures) {
      if (!times.length || now - times.at(-1)! >= this.limit.windowMs) this.failures.delete(peer);
    }
  }

  private hostAllowed(h: { name: string; port: number | null }): boolean {
    if (h.port !== this.bound.port()) return false;
    if (LOOPBACK_NAMES.has(h.name)) return true;
    const bound = this.bound.host.toLowerCase();
    const boundName = bound.includes(':') ? `[${bound}]` : bound;
    if (h.name === boundName) return true;
    // Bound to every interface: any address literal of this machine's names is fine; a DNS name is not.
    return isWildcard(bound) && net.isIP(h.name.replace(/^\[|\]$/g, '')) !== 0;
  }
}

export function tokenMatches(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
