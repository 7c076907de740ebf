/**
 * @module views/components/host-marks
 * What a code host imported, marked as such: a badge naming the connection on groups, projects,
 * users and memberships, and, where a group or project is edited, why its name, path and place
 * are not (the host is their source of truth) with a link to it on the host.
 */
import type { HostMarks } from '../../src/http/host-marks.js';

export type { HostMarks };
import { hostPageUrl } from '../../src/model/managed.js';
import type { Group, Project } from '../../src/db/schema.js';
import type { FieldErrors } from '../../src/validation.js';
import { ErrorSummary } from './form.js';

/** A page with nothing imported on it. */
export const NO_HOST_MARKS: HostMarks = { hosts: new Map(), linked: false };

const hostOf = (marks: HostMarks, item: { codeHostId: number | null }) =>
  item.codeHostId === null ? undefined : marks.hosts.get(item.codeHostId);

/** "Managed by gitlab.example.com" on an imported group or project; nothing on Cascade's own. */
export function ManagedBadge({ item, marks }: { item: { codeHostId: number | null }; marks: HostMarks }) {
  const host = hostOf(marks, item);
  if (!host) return null;
  const text = `Managed by ${host.name}`;
  return marks.linked ? (
    <a class="badge badge-managed" href={`/admin/code_hosts/${host.id}`}>
      {text}
    </a>
  ) : (
    <span class="badge badge-managed">{text}</span>
  );
}

/** "from gitlab.example.com" on a membership or a user the host gave. */
export function FromHostBadge({ item, marks }: { item: { codeHostId: number | null }; marks: HostMarks }) {
  const host = hostOf(marks, item);
  return host ? <span class="badge badge-managed">from {host.name}</span> : null;
}

interface ManagedOnHostProps {
  item: Pick<Group | Project, 'fullPath' | 'codeHostId'>;
  marks: HostMarks;
  what: 'group' | 'project';
  /** A refused move posted anyway (the form is not offered). */
  errors: FieldErrors;
}

/**
 * In place of the forms that rename, move or delete: where to change them instead. Nothing for
 * Cascade's own groups and projects.
 */
export function ManagedOnHost({ item, marks, what, errors }: ManagedOnHostProps) {
  const host = hostOf(marks, item);
  if (!host) return null;
  const refused = Object.values(errors);
  return (
    <section class="card" aria-labelledby="managed-title" id="managed-section">
      <h2 id="managed-title">Name, path and place</h2>
      {refused.length > 0 && <ErrorSummary errors={{ _form: refused.join(' ') }} />}
      <p>
        This {what} was imported from {host.name}. Its name, path and place are managed on {host.name}: change them
        there. Its integration settings are managed here.
      </p>
      <p>
        <a href={hostPageUrl(host, item)}>
          Open {item.fullPath} on {host.name}
        </a>
      </p>
    </section>
  );
}

/** Whether the forms that rename, move or delete `item` are offered: only for Cascade's own. */
export const editableHere = (item: { codeHostId: number | null }) => item.codeHostId === null;
