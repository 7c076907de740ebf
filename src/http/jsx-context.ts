/**
 * @module http/jsx-context
 * Pages render with hono/jsx's synchronous context store, not an AsyncLocalStorage.
 *
 * hono/jsx keeps the values of JSX contexts (the request that `useRequestContext` reads, for one)
 * in an AsyncLocalStorage when the runtime has one, so that async components can read them after
 * an await; without one, the values live for the length of a synchronous render, which is all
 * Cascade's components need. On Node 20 the storage is not free: its first `run()` turns on
 * promise hooks for the rest of the process, and every await of every request pays for them from
 * then on. Here one rendered page took the health check from about 13,500 to 9,000 requests a
 * second. hono/jsx looks for the storage once, at its first render.
 */
import { jsx } from 'hono/jsx';

let settled = false;

/**
 * Makes hono/jsx's one lookup of AsyncLocalStorage come back empty. Call it before the first
 * render; `process.getBuiltinModule` is changed only for the length of one tiny render that makes
 * hono/jsx look. An async component would then read its contexts' default values after an await,
 * and hono/jsx says so once on the console.
 *
 * @example
 * renderJsxWithoutAsyncLocalStorage() // in createApp, before any page is rendered
 */
export function renderJsxWithoutAsyncLocalStorage(): void {
  if (settled) return;
  settled = true;
  const getBuiltinModule = process.getBuiltinModule;
  // Before Node 20.16 there is no getBuiltinModule, and hono/jsx finds no storage anyway.
  if (typeof getBuiltinModule !== 'function') return;
  process.getBuiltinModule = ((id: string) => {
    const module = getBuiltinModule.call(process, id);
    return id === 'node:async_hooks' ? { ...module, AsyncLocalStorage: undefined } : module;
  }) as typeof process.getBuiltinModule;
  try {
    jsx('i', {}).toString();
  } finally {
    process.getBuiltinModule = getBuiltinModule;
  }
}
