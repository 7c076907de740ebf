/**
 * @module views/pages/dashboard: the home page, listing the user's groups and projects; an
 * administrator's opens with the instance's integrations at a glance.
 */
import type { Group, Project, User } from '../../src/db/schema.js';
import type { Membership } from '../../src/model/dashboard.js';
import type { InstanceOverview } from '../../src/overview.js';
import { ManagedBadge, type HostMarks } from '../components/host-marks.js';
import { InstanceOverviewSections } from '../components/instance-overview.js';
import { EmptyState } from '../components/lists.js';
import { RoleBadge } from '../components/role.js';

interface DashboardProps {
  user: User;
  groups: Membership<Group>[];
  projects: Membership<Project>[];
  /** Administrators see every top-level group, member or not. */
  allTopLevelGroups: Group[] | null;
  /** Administrators: the instance's integrations at a glance. */
  overview: InstanceOverview | null;
  marks: HostMarks;
}

export function DashboardPage({ user, groups, projects, allTopLevelGroups, overview, marks }: DashboardProps) {
  // An administrator who is a member of nothing sees the instance, not two empty lists.
  const showMemberships = !overview || groups.length + projects.length > 0;
  return (
    <>
      <h1>Welcome, {user.name}</h1>
      {overview && <InstanceOverviewSections overview={overview} />}
      {showMemberships && <Memberships groups={groups} projects={projects} marks={marks} />}
      {allTopLevelGroups && (
        <section class="card" aria-labelledby="all-groups">
          <h2 id="all-groups">All top-level groups</h2>
          {allTopLevelGroups.length === 0 ? (
            <EmptyState>
              No groups yet. <a href="/admin/groups/new">Create the first group</a>.
            </EmptyState>
          ) : (
            <ul class="item-list">
              {allTopLevelGroups.map((group) => (
                <li>
                  <a href={`/groups/${group.fullPath}`}>{group.name}</a> <ManagedBadge item={group} marks={marks} />
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </>
  );
}

function Memberships({ groups, projects, marks }: Pick<DashboardProps, 'groups' | 'projects' | 'marks'>) {
  return (
    <>
      <section class="card" aria-labelledby="your-groups">
        <h2 id="your-groups">Your groups</h2>
        {groups.length === 0 ? (
          <EmptyState>You are not a member of any group yet.</EmptyState>
        ) : (
          <ul class="item-list">
            {groups.map(({ item, accessLevel }) => (
              <li>
                <a href={`/groups/${item.fullPath}`}>{item.fullPath}</a> <RoleBadge accessLevel={accessLevel} />
                <ManagedBadge item={item} marks={marks} />
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="your-projects">
        <h2 id="your-projects">Your projects</h2>
        {projects.length === 0 ? (
          <EmptyState>
            You are not a member of any project directly. Projects of your groups are listed on each group's page.
          </EmptyState>
        ) : (
          <ul class="item-list">
            {projects.map(({ item, accessLevel }) => (
              <li>
                <a href={`/${item.fullPath}`}>{item.fullPath}</a> <RoleBadge accessLevel={accessLevel} />
                <ManagedBadge item={item} marks={marks} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
