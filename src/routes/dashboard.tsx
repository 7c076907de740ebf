/** @module routes/dashboard: the home page. */
import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';
import { hostMarks } from '../http/host-marks.js';
import { requireSignedIn } from '../http/subjects.js';
import { topLevelGroups, userMemberships } from '../model/dashboard.js';
import { DashboardPage } from '../../views/pages/dashboard.js';

export function dashboardRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c) => {
    const user = requireSignedIn(c);
    const memberships = await userMemberships(c.var.db, user);
    const allTopLevelGroups = user.isAdmin ? await topLevelGroups(c.var.db) : null;
    const shown = [...memberships.groups, ...memberships.projects].map((row) => row.item);
    return c.render(
      <DashboardPage
        user={user}
        {...memberships}
        allTopLevelGroups={allTopLevelGroups}
        marks={await hostMarks(c, [...shown, ...(allTopLevelGroups ?? [])])}
      />,
      { title: 'Your groups and projects' },
    );
  });
  return routes;
}
