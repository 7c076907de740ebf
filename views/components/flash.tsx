/** @module views/components/flash: the one-time message after a redirect. */
import type { Flash } from '../../src/http/context.js';

export function FlashMessage({ flash }: { flash: Flash | null }) {
  if (!flash) return null;
  return (
    <div class={`flash flash-${flash.kind}`} role={flash.kind === 'alert' ? 'alert' : 'status'}>
      {flash.message}
    </div>
  );
}
