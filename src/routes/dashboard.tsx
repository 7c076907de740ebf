/** @module routes/dashboard: the home page: an administrator's opens with the instance's integrations at a glance. */
import { Hono } from 'hono';
import type { AppEnv } from '../http/context.js';
import { hostMarks } from '../http/host-marks.js';
import { requireSignedIn, storeOf } from '../http/subjects.js';
import { topLevelGroups, userMemberships } from '../model/dashboard.js';
import { instanceOverview } from '../overview.js';
import { DashboardPage } from '../../views/pages/dashboard.js';

export function dashboardRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c) => {
    const user = requireSignedIn(c);
    const memberships = await userMemberships(c.var.db, user);
    const allTopLevelGroups = user.isAdmin ? await topLevelGroups(c.var.db) : null;
    const overview = user.isAdmin ? await instanceOverview(c.var.db, storeOf(c), new Date()) : null;
    const shown = [...memberships.groups, ...memberships.projects].map((row) => row.item);
    return c.render(
      <DashboardPage
        user={user}
        {...memberships}
        allTopLevelGroups={allTopLevelGroups}
        overview={overview}
        marks={await hostMarks(c, [...shown, ...(allTopLevelGroups ?? [])])}
      />,
      { title: overview ? 'Overview' : 'Your groups and projects' },
    );
  });
  return routes;
}
