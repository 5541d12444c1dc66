// The one wait of the unit and integration tests: polls a condition until it holds, or
// fails naming what was awaited (and, when given, what was seen instead).
export async function waitUntil(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 3000,
  seen?: () => string,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${seen ? `: ${seen()}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
