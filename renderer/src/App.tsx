// The workbench shell: the top bar and banners over the docking layout, which
// holds every view (sessions, a session's status, workbenches, plots, consoles).
import type { ReactNode } from 'react';
import { RecordingBar } from './capture/RecordingBar';
import { retryNow } from './connection';
import { NewSessionDialog } from './forms/NewSessionDialog';
import { Dock } from './layout/Dock';
import { LayoutMenu } from './layout/LayoutMenu';
import { client } from './hub';
import { useStore } from './store';

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
  const newSessionOpen = useStore((s) => s.newSessionOpen);
  const setNewSessionOpen = useStore((s) => s.setNewSessionOpen);
  const select = useStore((s) => s.selectSession);
  const serialPorts = useStore((s) => s.serialPorts);
  const refreshPorts = useStore((s) => s.refreshSerialPorts);
  // While the hub is away, what is shown is the last status it sent: dim it.
  const stale = useStore((s) => s.connection.phase !== 'connected');

  return (
    <div className="app">
      <TopBar />
      <Banners />
      <div className={`app-body${stale ? ' stale' : ''}`} aria-busy={stale}>
        <Dock />
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
      <LayoutMenu />
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
  const layoutError = useStore((s) => s.layoutError);
  const dismissLayout = useStore((s) => s.setLayoutError);
  const plotsError = useStore((s) => s.plotsError);
  const streamError = useStore((s) => s.streamError);
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
      {plotsError ? <div className="banner banner-error" role="alert">{plotsError}</div> : null}
      {streamError ? <div className="banner banner-error" role="alert">{streamError}</div> : null}
      {layoutError ? (
        <div className="banner banner-warn" role="alert" data-testid="layout-error">
          <span>{layoutError}</span>
          <button type="button" className="btn btn-quiet" onClick={() => dismissLayout(null)} aria-label="Dismiss">✕</button>
        </div>
      ) : null}
      {actionError ? (
        <div className="banner banner-error" role="alert">
          <span>{actionError}</span>
          <button type="button" className="btn btn-quiet" onClick={dismiss} aria-label="Dismiss">✕</button>
        </div>
      ) : null}
    </div>
  );
}
