/** @module views/pages/group: a group's overview, with its subgroups and projects. */
import type { Group, Project } from '../../src/db/schema.js';
import { integrationsUrl } from '../../src/http/paths.js';
import { ManagedBadge, type HostMarks } from '../components/host-marks.js';
import { EmptyState } from '../components/lists.js';

interface GroupPageProps {
  group: Group;
  subgroups: Group[];
  projects: Project[];
  canManage: boolean;
  isAdmin: boolean;
  marks: HostMarks;
}

export function GroupPage({ group, subgroups, projects, canManage, isAdmin, marks }: GroupPageProps) {
  return (
    <>
      <div class="page-heading">
        <h1>{group.name}</h1>
        <div class="actions">
          {canManage && (
            <a class="button" href={integrationsUrl({ level: 'group', path: group.fullPath })}>
              Settings › Integrations
            </a>
          )}
          {isAdmin && (
            <a class="button" href={`/admin/groups/${group.id}`}>
              Manage in Admin Area
            </a>
          )}
        </div>
      </div>
      <p class="muted">
        /{group.fullPath} <ManagedBadge item={group} marks={marks} />
      </p>
      {group.description && <p>{group.description}</p>}
      <section class="card" aria-labelledby="subgroups">
        <h2 id="subgroups">Subgroups</h2>
        {subgroups.length === 0 ? (
          <EmptyState>This group has no subgroups.</EmptyState>
        ) : (
          <ul class="item-list">
            {subgroups.map((subgroup) => (
              <li>
                <a href={`/groups/${subgroup.fullPath}`}>{subgroup.name}</a>{' '}
                <ManagedBadge item={subgroup} marks={marks} />
                {subgroup.description && <span class="muted"> — {subgroup.description}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="projects">
        <h2 id="projects">Projects</h2>
        {projects.length === 0 ? (
          <EmptyState>This group has no projects.</EmptyState>
        ) : (
          <ul class="item-list">
            {projects.map((project) => (
              <li>
                <a href={`/${project.fullPath}`}>{project.name}</a> <ManagedBadge item={project} marks={marks} />
                {project.description && <span class="muted"> — {project.description}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
