// One way a panel polls the hub: a request every `periodMs` (and one at once unless
// told otherwise), each answer handed to onValue and each failure to onError, never
// dropped. Once stopped, nothing more is delivered, not even the answer to a request
// still under way, so a panel that changed subject never shows the old one's data.
export interface PollSpec<T> {
  poll: () => Promise<T>;
  periodMs: number;
  onValue: (value: T) => void;
  onError: (error: Error) => void;
  /** Poll once at the start instead of waiting a period (default true). */
  immediate?: boolean;
}

/** Starts polling; the function returned stops it. */
export function startPoll<T>(spec: PollSpec<T>): () => void {
  let live = true;
  const once = () => {
    let pending: Promise<T>;
    try {
      pending = spec.poll();
    } catch (e) {
      pending = Promise.reject(e);
    }
    pending.then(
      (v) => { if (live) spec.onValue(v); },
      (e: unknown) => { if (live) spec.onError(e instanceof Error ? e : new Error(String(e))); },
    );
  };
  if (spec.immediate ?? true) once();
  const timer = setInterval(once, spec.periodMs);
  return () => { live = false; clearInterval(timer); };
}
