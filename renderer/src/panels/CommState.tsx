// A session's device comm state as a coloured dot and a word.
import type { SessionStatus } from '../../../shared/api/contract';

const WORDS = { Disconnected: 'Disconnected', Connecting: 'Connecting', ConnectedReady: 'Connected' } as const;

export function CommState({ session }: { session: SessionStatus }) {
  const state = session.deviceCommState;
  // Red when the link says why it is down; grey when it is simply not wanted.
  const tone = state === 'ConnectedReady' ? 'ok' : state === 'Connecting' ? 'busy' : session.deviceLink.lastError ? 'fault' : 'idle';
  return (
    <span className={`comm-state comm-${tone}`} data-testid="comm-state" data-comm-state={state}>
      <i className="dot" aria-hidden="true" />
      {WORDS[state]}
    </span>
  );
}
