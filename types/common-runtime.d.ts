// The globals that shared/ may use: what browsers and Node.js both provide. shared/ is
// type-checked with this file alone (shared/tsconfig.json: no DOM library, no Node types),
// so a DOM-only or Node-only name used there fails the typecheck.
interface CommonTimer { readonly commonTimer: never }
declare function setTimeout(callback: (...args: never[]) => void, ms?: number): CommonTimer;
declare function clearTimeout(timer: CommonTimer | undefined): void;
declare function structuredClone<T>(value: T): T;
