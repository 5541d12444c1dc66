// Keeps a panel's failure inside the panel: a protocol panel that cannot load (its
// code chunk missing) or throws while rendering says so in place, and the rest of
// the workbench (sessions, plots, console) carries on. A new session (another key)
// starts a new boundary.
import { Component, type ReactNode } from 'react';

export class PanelBoundary extends Component<{ name: string; children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error): { error: Error } {
    return { error };
  }

  render(): ReactNode {
    if (this.state.error) {
      return (
        <section className="panel" role="alert" data-testid="panel-error">
          <p className="field-error">The {this.props.name} panel failed: {this.state.error.message}</p>
          <p className="muted">The rest of the workbench carries on; reload the window (Ctrl+R) to load the panel again.</p>
        </section>
      );
    }
    return this.props.children;
  }
}
