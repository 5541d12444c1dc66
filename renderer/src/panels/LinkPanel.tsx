// The selected session's link: edit and apply its configuration, connect,
// disconnect, remove the session.
import { useState } from 'react';
import type { SessionStatus } from '../../../shared/api/contract';
import type { LinkSpec } from '../../../shared/api/link-config';
import { LinkForm } from '../forms/LinkForm';
import { client } from '../hub';
import { useStore } from '../store';

export function LinkPanel({ session }: { session: SessionStatus }) {
  const serialPorts = useStore((s) => s.serialPorts);
  const refreshPorts = useStore((s) => s.refreshSerialPorts);
  const connect = useStore((s) => s.connectSession);
  const disconnect = useStore((s) => s.disconnectSession);
  const remove = useStore((s) => s.removeSession);
  const [confirmRemove, setConfirmRemove] = useState(false);
  // Applying a demo device's link ends demo mode: asked first, the form waits for the answer.
  const [askDemo, setAskDemo] = useState<((go: boolean) => void) | null>(null);
  const demoMode = useStore((s) => s.status?.demoMode ?? false);
  const endsDemo = demoMode && session.deviceLink.demoMode;
  const initial = { type: session.deviceLink.type, config: session.deviceLink.config } as LinkSpec;
  const id = session.sessionId;

  return (
    <section className="panel" aria-labelledby="link-title">
      <header className="panel-header"><h2 id="link-title">Link</h2></header>
      <LinkForm
        key={id}
        idPrefix={`link-${id}`}
        initial={initial}
        submitLabel="Apply"
        failureLabel={`Link of "${session.name}" not applied`}
        onSubmit={async (spec) => {
          if (endsDemo && !(await new Promise<boolean>((resolve) => setAskDemo(() => resolve)))) return;
          await client.configureDeviceLink(id, spec.type, spec.config as Record<string, unknown>);
        }}
        portList={{ ...serialPorts, refresh: () => void refreshPorts() }}
      >
        <span className="button-gap" />
        <button type="button" className="btn" onClick={() => void connect(id)}>Connect</button>
        <button type="button" className="btn" onClick={() => void disconnect(id)}>Disconnect</button>
      </LinkForm>
      {askDemo ? (
        <div className="button-row confirm-row" role="alertdialog" aria-label="End demo mode?" data-testid="confirm-end-demo">
          <span>“{session.name}” is a demo device: applying its link ends demo mode, and the other demo devices stop.</span>
          <button type="button" className="btn btn-primary" autoFocus onClick={() => { askDemo(true); setAskDemo(null); }}>Apply and end demo mode</button>
          <button type="button" className="btn" onClick={() => { askDemo(false); setAskDemo(null); }}>Cancel</button>
        </div>
      ) : null}
      <div className="button-row danger-row">
        {confirmRemove ? (
          <>
            <span>Remove “{session.name}”?</span>
            <button type="button" className="btn btn-danger" onClick={() => { setConfirmRemove(false); void remove(id); }} autoFocus>
              Remove
            </button>
            <button type="button" className="btn" onClick={() => setConfirmRemove(false)}>Keep</button>
          </>
        ) : (
          <button type="button" className="btn btn-quiet" onClick={() => setConfirmRemove(true)}>Remove session…</button>
        )}
      </div>
    </section>
  );
}
