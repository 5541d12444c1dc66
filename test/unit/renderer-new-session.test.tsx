// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidValueError } from '../../shared/client/errors';
import { NewSessionDialog, type NewSessionRequest } from '../../renderer/src/forms/NewSessionDialog';
import { ConsoleBuffer } from '../../renderer/src/panels/console-buffer';

afterEach(cleanup);

function renderDialog(onCreate: (r: NewSessionRequest) => Promise<unknown> = async () => 'abc') {
  const create = vi.fn(onCreate);
  const close = vi.fn();
  render(<NewSessionDialog portList={{ ports: [], error: null, loading: false }} onCreate={create} onClose={close} />);
  return { create, close };
}

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });
const create = () => fireEvent.click(screen.getByRole('button', { name: 'Create' }));

describe('New session dialog', () => {
  it('is a labelled modal dialog', () => {
    renderDialog();
    const dialog = screen.getByRole('dialog', { name: 'New session' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
  });

  it('creates a lines session with its options and link, connecting at once', async () => {
    const { create: onCreate, close } = renderDialog();
    type('Name', 'PSU');
    type('Format', 'csv');
    type('Separator', ';');
    type('Header', 'present');
    type('Timestamp column', 'time_ms');
    type('Timestamp unit', 'ms');
    type('Link type', 'udp');
    type('Host', '192.168.1.20');
    type('Port', '4000');
    create();
    expect(onCreate).toHaveBeenCalledWith({
      protocol: 'lines',
      name: 'PSU',
      linkType: 'udp',
      linkConfig: { host: '192.168.1.20', port: 4000 },
      options: {
        format: 'csv', separator: ';', header: 'present', timestampColumn: 'time_ms', timestampUnit: 'ms',
        maxLineLength: 4096, maxSignals: 256, rename: {}, remove: [],
      },
      autoConnect: true,
    });
    await waitFor(() => expect(close).toHaveBeenCalled());
  });

  it('leaves the name to the hub when empty and stamps receive time when no timestamp column', () => {
    const { create: onCreate } = renderDialog();
    create();
    const req = onCreate.mock.calls[0][0];
    expect('name' in req).toBe(false);
    expect(req.options.timestampColumn).toBeNull();
  });

  it('shows option and link errors inline and sends nothing', () => {
    const { create: onCreate } = renderDialog();
    type('Max line length', '8');
    type('Port', '70000');
    create();
    expect(screen.getByText('Maximum line length is at least 16 bytes').getAttribute('role')).toBe('alert');
    expect(screen.getByLabelText('Port').getAttribute('aria-invalid')).toBe('true');
    expect(onCreate).not.toHaveBeenCalled();
  });

  it('maps the hub refusal back to the field it names and stays open', async () => {
    const { close } = renderDialog(async () => {
      throw new InvalidValueError('Invalid createSession', [{ path: 'linkConfig.host', message: 'Host not resolvable: nowhere.invalid' }]);
    });
    type('Host', 'nowhere.invalid');
    create();
    const err = await screen.findByText('Host not resolvable: nowhere.invalid');
    expect(screen.getByLabelText('Host').getAttribute('aria-describedby')).toContain(err.id);
    expect(close).not.toHaveBeenCalled();
  });

  it('closes on Escape without creating', () => {
    const { create: onCreate, close } = renderDialog();
    fireEvent.keyDown(screen.getByLabelText('Name'), { key: 'Escape' });
    expect(close).toHaveBeenCalled();
    expect(onCreate).not.toHaveBeenCalled();
  });
});

describe('console buffer', () => {
  it('keeps the last lines and tells its view at most every 100 ms', async () => {
    vi.useFakeTimers();
    try {
      const buf = new ConsoleBuffer(10);
      const seen = vi.fn();
      buf.subscribe(seen);
      for (let i = 0; i < 50; i++) buf.push([{ sessionId: 's', dir: 'rx', t: i, text: `line ${i}` }]);
      expect(seen).not.toHaveBeenCalled();
      vi.advanceTimersByTime(100);
      expect(seen).toHaveBeenCalledTimes(1);
      const lines = buf.snapshot();
      expect(lines).toHaveLength(10);
      expect(lines[0].text).toBe('line 40');
      expect(lines[9].text).toBe('line 49');
    } finally {
      vi.useRealTimers();
    }
  });
});
