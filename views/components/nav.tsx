/**
 * @module views/components/nav
 * The left navigation of each section, like GitLab's settings sidebars.
 */
import type { Group, Project } from '../../src/db/schema.js';
import { integrationsUrl } from '../../src/http/paths.js';

interface NavItem {
  label: string;
  href: string;
  /** Marks the item as the current page when the request path starts with it. */
  match?: string;
}

function SideNav({
  title,
  label,
  items,
  current,
}: {
  title: string;
  label: string;
  items: NavItem[];
  current: string;
}) {
  const active = items
    .filter((item) => current === item.href || current.startsWith(`${item.match ?? item.href}/`))
    .sort((a, b) => b.href.length - a.href.length)[0];
  // On phones the list folds away behind its summary (the section and the current page), so
  // that the page's content starts near the top; on wider screens the list is always shown.
  return (
    <nav class="sidenav" aria-label={label}>
      <p class="sidenav-title">{title}</p>
      <details class="sidenav-menu">
        <summary>
          {title}
          {active && <span class="sidenav-current">{active.label}</span>}
        </summary>
        <ul>
          {items.map((item) => (
            <li>
              <a href={item.href} aria-current={item === active ? 'page' : undefined}>
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </details>
    </nav>
  );
}

export function AdminNav({ current }: { current: string }) {
  return (
    <SideNav
      title="Admin Area"
      label="Admin Area"
      current={current}
      items={[
        { label: 'Overview', href: '/admin', match: '/admin/dashboard' },
        { label: 'Users', href: '/admin/users' },
        { label: 'Groups', href: '/admin/groups' },
        { label: 'Projects', href: '/admin/projects' },
        { label: 'Code hosts', href: '/admin/code_hosts' },
        { label: 'Integration health', href: '/admin/integration_health' },
        { label: 'Settings › Integrations', href: integrationsUrl({ level: 'instance' }) },
        { label: 'Settings › Network', href: '/admin/application_settings/network' },
        { label: 'Access tokens', href: '/admin/personal_access_tokens' },
        { label: 'Audit events', href: '/admin/audit_events' },
      ]}
    />
  );
}

/** Those who may change settings see a Settings menu; the others reach the same pages read-only. */
function settingsLabel(canManage: boolean) {
  return canManage ? 'Settings › Integrations' : 'Integrations (read-only)';
}

interface GroupNavProps {
  group: Group;
  current: string;
  canManage: boolean;
  /** Whether the user may rename and delete it (Settings › General). */
  canEditGeneral?: boolean;
}

export function GroupNav({ group, current, canManage, canEditGeneral = false }: GroupNavProps) {
  const base = `/groups/${group.fullPath}`;
  return (
    <SideNav
      title={group.name}
      label="Group"
      current={current}
      items={[
        { label: 'Group overview', href: base, match: `${base}/-/overview` },
        ...(canEditGeneral ? [{ label: 'Settings › General', href: `${base}/-/edit` }] : []),
        { label: settingsLabel(canManage), href: integrationsUrl({ level: 'group', path: group.fullPath }) },
        ...(canManage ? [{ label: 'Audit events', href: `${base}/-/audit_events` }] : []),
      ]}
    />
  );
}

interface ProjectNavProps {
  project: Project;
  current: string;
  canManage: boolean;
  /** Whether the user may rename and delete it (Settings › General). */
  canEditGeneral?: boolean;
}

export function ProjectNav({ project, current, canManage, canEditGeneral = false }: ProjectNavProps) {
  const base = `/${project.fullPath}`;
  return (
    <SideNav
      title={project.name}
      label="Project"
      current={current}
      items={[
        { label: 'Project overview', href: base, match: `${base}/-/overview` },
        ...(canEditGeneral ? [{ label: 'Settings › General', href: `${base}/-/edit` }] : []),
        { label: settingsLabel(canManage), href: integrationsUrl({ level: 'project', path: project.fullPath }) },
        ...(canManage ? [{ label: 'Audit events', href: `${base}/-/audit_events` }] : []),
      ]}
    />
  );
}

export function UserSettingsNav({ current }: { current: string }) {
  return (
    <SideNav
      title="User settings"
      label="User settings"
      current={current}
      items={[
        { label: 'Password', href: '/-/user_settings/password/edit', match: '/-/user_settings/password' },
        { label: 'Access tokens', href: '/-/user_settings/personal_access_tokens' },
      ]}
    />
  );
}
