// The operation arguments field: space-separated tokens, as DCS carries them. A quoted
// argument ("two words", "") is read as the user meant it, so that one DCS cannot carry
// (holding a space, or empty) is refused beside the field instead of being sent split.

export type ParsedArgs = { ok: true; args: string[] } | { ok: false; error: string };

const WHY = 'DCS carries operation arguments as space-separated tokens';

export function parseOperationArgs(text: string): ParsedArgs {
  const args: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return { ok: false, error: `argument ${args.length + 1}: the quote ${c} is not closed` };
      const value = text.slice(i + 1, end);
      if (value === '') return { ok: false, error: `argument ${args.length + 1} is empty: ${WHY}, an empty one cannot be sent` };
      if (/\s/.test(value)) return { ok: false, error: `argument ${args.length + 1} (${c}${value}${c}) holds a space: ${WHY}, it would arrive as ${value.trim().split(/\s+/).length} arguments` };
      args.push(value);
      i = end + 1;
      continue;
    }
    let end = i;
    while (end < text.length && !/\s/.test(text[end]!)) end++;
    args.push(text.slice(i, end));
    i = end;
  }
  return { ok: true, args };
}
