/** @module views/pages/admin/dashboard: instance counts and shortcuts. */

export interface AdminCounts {
  users: { total: number; admins: number; blocked: number };
  groups: number;
  projects: number;
}

export function AdminDashboardPage({ counts }: { counts: AdminCounts }) {
  return (
    <>
      <h1>Admin Area</h1>
      <div class="stat-grid">
        <section class="card stat" aria-labelledby="stat-users">
          <h2 id="stat-users">Users</h2>
          <p class="stat-value">{counts.users.total}</p>
          <p class="muted">
            {counts.users.admins} administrators, {counts.users.blocked} blocked
          </p>
          <a class="button" href="/admin/users/new">
            New user
          </a>
        </section>
        <section class="card stat" aria-labelledby="stat-groups">
          <h2 id="stat-groups">Groups</h2>
          <p class="stat-value">{counts.groups}</p>
          <p class="muted">including subgroups</p>
          <a class="button" href="/admin/groups/new">
            New group
          </a>
        </section>
        <section class="card stat" aria-labelledby="stat-projects">
          <h2 id="stat-projects">Projects</h2>
          <p class="stat-value">{counts.projects}</p>
          <p class="muted">in all groups</p>
          <a class="button" href="/admin/projects/new">
            New project
          </a>
        </section>
      </div>
    </>
  );
}
