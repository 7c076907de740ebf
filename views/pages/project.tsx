/** @module views/pages/project: a project's overview. */
import type { Project } from '../../src/db/schema.js';
import { integrationsUrl } from '../../src/http/paths.js';
import { ManagedBadge, type HostMarks } from '../components/host-marks.js';

export function ProjectPage({
  project,
  canManage,
  isAdmin,
  marks,
}: {
  project: Project;
  canManage: boolean;
  isAdmin: boolean;
  marks: HostMarks;
}) {
  return (
    <>
      <div class="page-heading">
        <h1>{project.name}</h1>
        <div class="actions">
          {canManage && (
            <a class="button" href={integrationsUrl({ level: 'project', path: project.fullPath })}>
              Settings › Integrations
            </a>
          )}
          {isAdmin && (
            <a class="button" href={`/admin/projects/${project.id}`}>
              Manage in Admin Area
            </a>
          )}
        </div>
      </div>
      <p class="muted">
        /{project.fullPath} <ManagedBadge item={project} marks={marks} />
      </p>
      {project.description ? <p>{project.description}</p> : <p class="muted">No description.</p>}
    </>
  );
}
