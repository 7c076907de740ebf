/** @module views/components/role: a member's role as a badge. */
import { ROLE_LABELS, roleName } from '../../src/auth/permissions.js';

export function RoleBadge({ accessLevel }: { accessLevel: number }) {
  const name = roleName(accessLevel);
  return <span class={`badge badge-role badge-${name ?? 'none'}`}>{name ? ROLE_LABELS[name] : 'No role'}</span>;
}
