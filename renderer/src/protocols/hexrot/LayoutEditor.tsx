// The layout text with line numbers: a refused layout names its line, and the
// gutter marks that line so the user finds it in a long structure.
import { useRef } from 'react';
import './hexrot.css';

/** The line a layout error names ("... line 12, column 3: ..."), or null. */
export function errorLine(error: string | undefined): number | null {
  const m = error ? /\bline (\d+), column \d+/.exec(error) : null;
  return m ? Number(m[1]) : null;
}

export function LayoutEditor({ id, value, onChange, error, describedBy }: {
  id: string;
  value: string;
  onChange(value: string): void;
  error?: string;
  describedBy?: string;
}) {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = value.split('\n').length;
  const bad = errorLine(error);
  return (
    <div className="layout-editor" aria-invalid={error ? true : undefined}>
      <div className="layout-gutter" ref={gutter} aria-hidden="true" data-testid="layout-line-numbers">
        {Array.from({ length: lines }, (_, i) => (
          <span key={i} className={i + 1 === bad ? 'layout-error-line' : undefined}>{i + 1}</span>
        ))}
      </div>
      <textarea
        id={id}
        rows={14}
        wrap="off"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => { if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop; }}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}
