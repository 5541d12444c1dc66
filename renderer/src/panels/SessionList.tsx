// The sidebar: every device session on the bench, and "New session".
import type { SessionStatus } from '../../../shared/api/contract';
import { selectedSession, useStore } from '../store';
import { CommState } from './CommState';

const NO_SESSIONS: SessionStatus[] = [];

export function SessionList() {
  const sessions = useStore((s) => s.status?.sessions ?? NO_SESSIONS);
  const selected = useStore((s) => selectedSession(s)?.sessionId ?? null);
  const select = useStore((s) => s.selectSession);
  const openNew = useStore((s) => s.setNewSessionOpen);
  return (
    <nav className="sidebar" aria-label="Sessions">
      <div className="sidebar-header">
        <h2>Sessions</h2>
        <button type="button" className="btn btn-primary" onClick={() => openNew(true)} data-testid="new-session">New session</button>
      </div>
      {sessions.length === 0 ? <p className="muted empty">No sessions. Create one, or turn the demo bench on.</p> : null}
      <ul className="session-list">
        {sessions.map((s) => (
          <li key={s.sessionId}>
            <button
              type="button"
              className="session-row"
              data-testid="session-row"
              data-session-id={s.sessionId}
              data-comm-state={s.deviceCommState}
              aria-current={s.sessionId === selected ? 'true' : undefined}
              onClick={() => select(s.sessionId)}
            >
              <span className="session-name">
                {s.name}
                {s.deviceLink.demoMode ? <span className="badge" title="An emulated device of the demo bench">demo</span> : null}
              </span>
              <span className="session-meta">{s.protocol} · {s.deviceLink.endpoint}</span>
              <CommState session={s} />
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
