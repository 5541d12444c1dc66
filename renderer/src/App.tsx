// The workbench shell: sessions on the left; the selected session's status,
// link and the hub's statistics; plots and the console.
import { Suspense, type ReactNode } from 'react';
import type { SessionStatus } from '../../shared/api/contract';
import { RecordingBar } from './capture/RecordingBar';
import { CanMonitorPanel } from './can/CanMonitorPanel';
import { retryNow } from './connection';
import { NewSessionDialog } from './forms/NewSessionDialog';
import { client } from './hub';
import { Console } from './panels/Console';
import { LinkPanel } from './panels/LinkPanel';
import { PanelBoundary } from './panels/PanelBoundary';
import { SessionList } from './panels/SessionList';
import { SessionStatusPanel } from './panels/SessionStatusPanel';
import { StatsPanel } from './panels/StatsPanel';
import { PlotsArea } from './plot/PlotsArea';
import { RENDERER_PROTOCOLS } from './protocols/registry';
import { selectedSession, useStore } from './store';

export function App() {
  const phase = useStore((s) => s.connection.phase);
  const error = useStore((s) => s.connection.error);
  const hasStatus = useStore((s) => s.status !== null);

  if (phase === 'token-missing') {
    return (
      <FullPage title="Token needed">
        <p>This page needs the token printed by <code>{launchCommand()}</code>.</p>
        <p>Open the address the host printed when it started, which ends in <code>?token=…</code>, for example <code>http://127.0.0.1:8080/?token=…</code>.</p>
      </FullPage>
    );
  }
  if (phase === 'refused') {
    return (
      <FullPage title="The hub refused this page">
        <p>This page needs the token printed by <code>{launchCommand()}</code>; the token in this address was refused, or the host stopped.</p>
        <p>Open the address the host printed when it started, which ends in <code>?token=…</code>.</p>
        {error ? <p className="muted mono">{error}</p> : null}
        <button type="button" className="btn btn-primary" onClick={retryNow}>Retry</button>
      </FullPage>
    );
  }
  if (!hasStatus) {
    return (
      <FullPage title="Connecting to the hub…">
        {error ? <p className="muted mono" role="status">{error}</p> : <p className="muted">Waiting for the first status.</p>}
      </FullPage>
    );
  }
  return <Workbench />;
}

/** The command that started the host, as the host wrote it into the page. */
function launchCommand(): string {
  return document.querySelector('meta[name="benchscope-command"]')?.getAttribute('content') || 'npm start';
}

function FullPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="full-page" data-testid="full-page-message">
      <div className="full-page-box">
        <h1>Benchscope</h1>
        <h2>{title}</h2>
        {children}
      </div>
    </main>
  );
}

function Workbench() {
  const session = useStore(selectedSession);
  const newSessionOpen = useStore((s) => s.newSessionOpen);
  const setNewSessionOpen = useStore((s) => s.setNewSessionOpen);
  const select = useStore((s) => s.selectSession);
  const serialPorts = useStore((s) => s.serialPorts);
  const refreshPorts = useStore((s) => s.refreshSerialPorts);
  // While the hub is away, what is shown is the last status it sent: dim it.
  const stale = useStore((s) => s.connection.phase !== 'connected');
  const ProtocolPanel = session ? RENDERER_PROTOCOLS[session.protocol]?.Panel : undefined;

  return (
    <div className="app">
      <TopBar />
      <Banners />
      <div className={`app-body${stale ? ' stale' : ''}`} aria-busy={stale}>
        <SessionList />
        <main className="main">
          <div className="inspector">
            {session ? <SessionPanels session={session} /> : null}
            <StatsPanel />
          </div>
          <div className="workspace">
            {/* A container of its own: as a bare sibling of the plots, the keyed slot of the
                session shown before was left in the page when another session was selected. */}
            <div className="protocol-area">
              {ProtocolPanel && session ? (
                <PanelBoundary key={session.sessionId} name={session.protocol}>
                  <Suspense fallback={<p className="muted">Loading the {session.protocol} panel…</p>}>
                    <ProtocolPanel session={session} />
                  </Suspense>
                </PanelBoundary>
              ) : null}
            </div>
            {session?.deviceLink.type === 'can' ? <CanMonitorPanel key={`can-${session.sessionId}`} session={session} /> : null}
            <PlotsArea />
            {session ? <Console key={session.sessionId} sessionId={session.sessionId} sessionName={session.name} /> : null}
          </div>
        </main>
      </div>
      {newSessionOpen ? (
        <NewSessionDialog
          portList={{ ...serialPorts, refresh: () => void refreshPorts() }}
          onCreate={async (request) => select(await client.createSession(request))}
          onClose={() => setNewSessionOpen(false)}
        />
      ) : null}
    </div>
  );
}

function SessionPanels({ session }: { session: SessionStatus }) {
  return (
    <>
      <SessionStatusPanel session={session} />
      <LinkPanel session={session} />
    </>
  );
}

function TopBar() {
  const demo = useStore((s) => s.status?.demoMode ?? false);
  const setDemo = useStore((s) => s.setDemoMode);
  const phase = useStore((s) => s.connection.phase);
  const door = useStore((s) => s.connection.door);
  return (
    <header className="topbar">
      <span className="brand">Benchscope</span>
      <span className={`hub-state hub-${phase}`} data-testid="hub-connection" data-phase={phase}>
        <i className="dot" aria-hidden="true" />
        {phase === 'connected' ? `hub connected (${door === 'electron' ? 'desktop' : 'WebSocket'})` : 'hub not connected'}
      </span>
      <span className="topbar-gap" />
      <RecordingBar />
      <button type="button" role="switch" aria-checked={demo} className={`switch ${demo ? 'on' : ''}`} onClick={() => void setDemo(!demo)}>
        <i className="switch-knob" aria-hidden="true" />
        Demo mode
      </button>
    </header>
  );
}

function Banners() {
  const phase = useStore((s) => s.connection.phase);
  const error = useStore((s) => s.connection.error);
  const retryInS = useStore((s) => s.connection.retryInS);
  const notices = useStore((s) => s.status?.notices);
  const actionError = useStore((s) => s.actionError);
  const dismiss = useStore((s) => s.dismissActionError);
  return (
    <div className="banners">
      {phase === 'reconnecting' || (phase === 'connecting' && error) ? (
        <div className="banner banner-warn" role="status" data-testid="reconnecting">
          <span>Reconnecting to the hub{retryInS ? ` in ${retryInS} s` : '…'}{error ? ` (${error})` : ''}</span>
          <button type="button" className="btn" onClick={retryNow}>Retry now</button>
        </div>
      ) : null}
      {phase === 'connected' && error ? <div className="banner banner-warn" role="status">{error}</div> : null}
      {notices?.map((n) => <div key={n} className="banner banner-warn" role="status">{n}</div>)}
      {actionError ? (
        <div className="banner banner-error" role="alert">
          <span>{actionError}</span>
          <button type="button" className="btn btn-quiet" onClick={dismiss} aria-label="Dismiss">✕</button>
        </div>
      ) : null}
    </div>
  );
}
