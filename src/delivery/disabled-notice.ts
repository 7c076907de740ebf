/**
 * @module delivery/disabled-notice
 * The mail to a level's owners when repeated failures disable one of its integrations: project
 * Maintainers and Owners for a project, group Owners for a group, administrators for the
 * instance (roles inherited from parent groups count, as in GitLab). How the mail is sent is
 * not this module's concern: it is given a {@link NotifyOwners}.
 */
import { and, eq, gte, isNull, or } from 'drizzle-orm';
import { ROLES, traversalIdList } from '../auth/permissions.js';
import type { Queryable } from '../db/client.js';
import { members, users } from '../db/schema.js';
import { findIntegrationType } from '../integrations/index.js';
import { findGroupById } from '../model/groups.js';
import { findProjectById } from '../model/projects.js';
import { levelInSentence, type SettingsOwner } from '../settings/resolve.js';
import { ownerOfTarget, type HealthTarget } from './health.js';

export interface Recipient {
  name: string;
  email: string;
}

export interface OwnersMessage {
  subject: string;
  text: string;
}

/** Sends a message to each recipient (the mailer: `send({ to, subject, text })` per recipient). */
export type NotifyOwners = (owners: readonly Recipient[], message: OwnersMessage) => Promise<void>;

const notBlocked = isNull(users.blockedAt);

/** The groups whose members' roles reach `groupId`: it and its ancestors. */
async function lineageIds(db: Queryable, groupId: number): Promise<number[]> {
  const group = await findGroupById(db, groupId);
  return group ? traversalIdList(group.traversalIds) : [];
}

/**
 * Who is told when an integration of `owner` is disabled.
 *
 * @example
 * await ownersToNotify(db, projectOwner(api, lineage)) // [{ name: 'Maya', email: 'maya@example.com' }, ...]
 */
export async function ownersToNotify(db: Queryable, owner: SettingsOwner): Promise<Recipient[]> {
  const select = { name: users.name, email: users.email };
  if (owner.level === 'instance')
    return db
      .select(select)
      .from(users)
      .where(and(eq(users.isAdmin, true), notBlocked))
      .orderBy(users.id);
  const project = owner.level === 'project' ? await findProjectById(db, owner.id!) : undefined;
  const groupIds = await lineageIds(db, project ? project.groupId : owner.id!);
  const role = project ? ROLES.maintainer : ROLES.owner;
  const found = await db
    .selectDistinct({ ...select, id: users.id })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(
      and(
        gte(members.accessLevel, role),
        notBlocked,
        or(...groupIds.map((id) => eq(members.groupId, id)), project ? eq(members.projectId, project.id) : undefined),
      ),
    )
    .orderBy(users.id);
  return found.map(({ name, email }) => ({ name, email }));
}

/** The full URL of an integration's page at a level (delivery builds no URLs of the pages itself). */
export type IntegrationPageUrl = (owner: SettingsOwner, integration: string) => string;

/** The message, with a link to the page where it is re-enabled. */
export function disabledMessage(owner: SettingsOwner, integration: string, page: string): OwnersMessage {
  const title = findIntegrationType(integration)?.title ?? integration;
  return {
    subject: `"${title}" was disabled after repeated failures`,
    text: [
      `"${title}" in the settings of ${levelInSentence(owner)} failed to connect too many times in a row, and is disabled.`,
      'Its notifications wait and are sent once it is re-enabled.',
      '',
      `To re-enable it, check the error details, then select "Re-enable" on its page: ${page}`,
    ].join('\n'),
  };
}

/**
 * What the worker calls when an attempt disabled a target: finds its owners and tells them.
 *
 * @example
 * const pageUrl = (owner, slug) => new URL(integrationUrl(integrationsUrl(owner), slug), config.publicOrigin).href
 * const onDisabled = disabledNotifier(db, pageUrl, async (owners, { subject, text }) => {
 *   for (const { email } of owners) await mailer.send({ to: email, subject, text })
 * })
 */
export function disabledNotifier(db: Queryable, pageUrl: IntegrationPageUrl, notify: NotifyOwners) {
  return async (target: HealthTarget): Promise<void> => {
    const owner = await ownerOfTarget(db, target);
    if (!owner) return;
    const recipients = await ownersToNotify(db, owner);
    if (recipients.length > 0)
      await notify(recipients, disabledMessage(owner, target.integration, pageUrl(owner, target.integration)));
  };
}
