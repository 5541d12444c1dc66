// startPoll tied to a component: polling runs while `enabled` and restarts when a
// value in `deps` changes (the panel's subject). The callbacks are read fresh on each
// answer, so a panel passes closures without restarting the poll on every render.
import { useEffect, useRef, type DependencyList } from 'react';
import { startPoll, type PollSpec } from './poll';

export function usePoll<T>(enabled: boolean, spec: PollSpec<T>, deps: DependencyList): void {
  const latest = useRef(spec);
  latest.current = spec;
  useEffect(() => {
    if (!enabled) return;
    return startPoll<T>({
      periodMs: latest.current.periodMs,
      immediate: latest.current.immediate,
      poll: () => latest.current.poll(),
      onValue: (v) => latest.current.onValue(v),
      onError: (e) => latest.current.onError(e),
    });
    // The subject of the poll is `deps`; the callbacks are read through the ref.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [enabled, spec.periodMs, ...deps]);
}
