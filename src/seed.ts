/**
 * @module seed
 * First start with an empty database: the root administrator and, unless SEED_DEMO=false,
 * a demo tree of groups, projects and users so that a newcomer sees something at once.
 */
import { count } from 'drizzle-orm';
import type { Queryable } from './db/client.js';
import { users, type Group, type User } from './db/schema.js';
import { generatePassword } from './auth/passwords.js';
import type { RoleName } from './auth/permissions.js';
import { createGroup } from './model/groups.js';
import { addMember } from './model/members.js';
import { createProject } from './model/projects.js';
import { createUser } from './model/users.js';
import type { Outcome } from './validation.js';

export interface SeededAccount {
  username: string;
  password: string;
  role: string;
}

function unwrap<T>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new Error(`Seeding failed: ${JSON.stringify(outcome.errors)}`);
  return outcome.value;
}

export async function isEmpty(db: Queryable): Promise<boolean> {
  return ((await db.select({ n: count() }).from(users).limit(1))[0]?.n ?? 0) === 0;
}

/** Creates root; returns the accounts whose passwords must be shown once. */
export async function seedRoot(db: Queryable, initialRootPassword: string | undefined): Promise<SeededAccount[]> {
  const password = initialRootPassword ?? generatePassword();
  unwrap(
    await createUser(db, {
      name: 'Administrator',
      username: 'root',
      email: 'root@cascade.local',
      password,
      is_admin: '1',
    }),
  );
  return initialRootPassword ? [] : [{ username: 'root', password, role: 'Administrator' }];
}

const DEMO_TREE = {
  groups: [
    { path: 'platform', name: 'Platform', parent: null },
    { path: 'backend', name: 'Backend', parent: 'platform' },
    { path: 'services', name: 'Services', parent: 'platform/backend' },
    { path: 'payments', name: 'Payments', parent: 'platform/backend/services' },
    { path: 'frontend', name: 'Frontend', parent: 'platform' },
    { path: 'data', name: 'Data', parent: null },
    { path: 'analytics', name: 'Analytics', parent: 'data' },
  ],
  projects: [
    { path: 'infrastructure', name: 'Infrastructure', group: 'platform' },
    { path: 'api', name: 'API', group: 'platform/backend' },
    { path: 'auth-service', name: 'Auth service', group: 'platform/backend/services' },
    { path: 'notifications', name: 'Notifications', group: 'platform/backend/services' },
    { path: 'billing', name: 'Billing', group: 'platform/backend/services/payments' },
    { path: 'checkout', name: 'Checkout', group: 'platform/backend/services/payments' },
    { path: 'web', name: 'Web', group: 'platform/frontend' },
    { path: 'design-system', name: 'Design system', group: 'platform/frontend' },
    { path: 'warehouse', name: 'Warehouse', group: 'data' },
    { path: 'dashboards', name: 'Dashboards', group: 'data/analytics' },
  ],
  users: [
    { username: 'olivia', name: 'Olivia Owner', member: { group: 'platform', role: 'owner' } },
    { username: 'max', name: 'Max Maintainer', member: { group: 'platform/backend', role: 'maintainer' } },
    { username: 'dev', name: 'Dana Developer', member: { group: 'platform/backend/services', role: 'developer' } },
    { username: 'riley', name: 'Riley Reporter', member: { group: 'data', role: 'reporter' } },
    { username: 'pat', name: 'Pat Project-Maintainer', member: { project: 'data/warehouse', role: 'maintainer' } },
  ],
} as const;

/** The demo tree: groups four levels deep, ten projects, and one user of each role. */
export async function seedDemo(db: Queryable): Promise<SeededAccount[]> {
  const groupsByPath = new Map<string, Group>();
  for (const spec of DEMO_TREE.groups) {
    const parent = spec.parent ? groupsByPath.get(spec.parent) : undefined;
    const group = unwrap(await createGroup(db, { name: spec.name, path: spec.path }, parent));
    groupsByPath.set(group.fullPath, group);
  }
  const projectIds = new Map<string, number>();
  for (const spec of DEMO_TREE.projects) {
    const project = unwrap(
      await createProject(db, { name: spec.name, path: spec.path }, groupsByPath.get(spec.group)!),
    );
    projectIds.set(project.fullPath, project.id);
  }
  const accounts: SeededAccount[] = [];
  for (const spec of DEMO_TREE.users) {
    const password = generatePassword();
    const user: User = unwrap(
      await createUser(db, {
        name: spec.name,
        username: spec.username,
        email: `${spec.username}@cascade.local`,
        password,
      }),
    );
    const member = spec.member as { group?: string; project?: string; role: RoleName };
    const source = member.group
      ? { groupId: groupsByPath.get(member.group)!.id }
      : { projectId: projectIds.get(member.project!)! };
    unwrap(await addMember(db, source, { username: user.username, role: member.role }));
    accounts.push({ username: spec.username, password, role: `${member.role} of ${member.group ?? member.project}` });
  }
  return accounts;
}
