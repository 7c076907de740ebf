/**
 * @module delivery/planner
 * What an event asks to be sent: the effective settings of every active integration of its
 * project, resolved as the event is dispatched (so a default saved a moment ago is the one
 * used), held to GitLab's filters with the project's protected branches as the host last listed
 * them and its ref's last pipeline status (given by the dispatcher), and shaped by each type's
 * message builder. Each delivery
 * records what it used: the values and the level each came from, secrets left out.
 */
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { codeHosts, type HostEvent } from '../db/schema.js';
import { isSecretField } from '../integrations/validate.js';
import type { IntegrationType } from '../integrations/types.js';
import { findGroupById, groupLineage } from '../model/groups.js';
import { findProjectById } from '../model/projects.js';
import { protectedBranchesOf } from '../model/protected-branches.js';
import { projectSettingsLevel } from '../settings/owners.js';
import type { EffectiveSettings, SettingsOwner } from '../settings/resolve.js';
import { integrationStates } from '../settings/service.js';
import { SettingsStore } from '../settings/store.js';
import { UndeliverableEvent, type EventPlan, type Planner, type PlanningBatch } from './dispatcher.js';
import { toDeliveryEvent, type DeliveryEvent } from './event.js';
import { integrationTriggerOf, shouldNotify, triggerDecision, type DeliveryContext } from './filters.js';
import { mailBuilderFor, messageBuilderFor, type StoredRequest } from './messages/index.js';
import { finishedPipelineOf } from './pipeline-status.js';
import type { PlannedDelivery, UsedSettings } from './queue.js';

/**
 * The level whose settings chose where a delivery goes: where the type's first URL or secret
 * field that is set (the webhook, the bot token) comes from; failing that, where `active` does.
 * Failures are counted against it.
 */
export function targetOwner(
  type: IntegrationType,
  effective: EffectiveSettings,
  project: SettingsOwner,
): SettingsOwner {
  const target = type.fields.find(
    (field) => (field.kind === 'url' || field.kind === 'secret') && effective.fields[field.name],
  );
  const source = effective.source[target?.name ?? 'active'] ?? effective.source.active;
  return source && source !== 'default' ? source : project;
}

/** The values a delivery used and where each came from; never a secret's value. */
function usedSettings(type: IntegrationType, effective: EffectiveSettings, trigger: string): UsedSettings {
  const used: UsedSettings = {};
  for (const field of type.fields) {
    if (isSecretField(field)) continue;
    used[field.name] = { value: effective.fields[field.name] ?? null, from: effective.source[field.name] ?? 'default' };
  }
  used[trigger] = { value: true, from: effective.source[trigger] ?? 'default' };
  return used;
}

export interface PlannerOptions {
  /** The SMTP server's host (`Mailer.targetHost`), where mails go; unset while mail is not configured. */
  mailHost?: string;
}

/**
 * @example
 * const planner = createPlanner(db, secretKeyBase, { mailHost: mailer?.targetHost })
 * const plan = await planner(event, new PlanningBatch())
 * plan.deliveries(null) // [{ integration: 'slack', settingsOwner: { level: 'instance', ... }, request: { method: 'POST', ... }, used: { ... } }]
 */
export function createPlanner(db: Db, secretKeyBase: string, { mailHost }: PlannerOptions = {}): Planner {
  const store = new SettingsStore(db, secretKeyBase);
  const hostKind = async (codeHostId: number) => {
    const [connection] = await db
      .select({ kind: codeHosts.kind })
      .from(codeHosts)
      .where(eq(codeHosts.id, codeHostId))
      .limit(1);
    return connection?.kind ?? null;
  };
  /** What the planning of an event reads of its project; null once the project is gone. */
  const projectContext = async (projectId: number) => {
    const project = await findProjectById(db, projectId);
    if (!project) return null;
    const group = (await findGroupById(db, project.groupId))!;
    const at = projectSettingsLevel(project, await groupLineage(db, group));
    return {
      project,
      owner: at.owner,
      states: await integrationStates(store, at),
      protectedBranches: await protectedBranchesOf(db, project.id),
    };
  };
  return async (event: HostEvent, batch: PlanningBatch): Promise<EventPlan> => {
    const kind = await batch.once(`host:${event.codeHostId}`, () => hostKind(event.codeHostId));
    const { projectId } = event;
    const context =
      projectId === null ? null : await batch.once(`project:${projectId}`, () => projectContext(projectId));
    if (!kind || !context) throw new UndeliverableEvent('The project is no longer in Cascade.');
    const read = toDeliveryEvent(kind, event.hostEvent, JSON.parse(event.payload) as unknown);
    if ('invalid' in read) throw new UndeliverableEvent(read.invalid);

    const { project, owner, states, protectedBranches } = context;
    return {
      pipeline: finishedPipelineOf(read.event),
      deliveries: (lastPipelineStatus) => {
        const filters: DeliveryContext = {
          defaultBranch: project.defaultBranch,
          protectedBranches,
          lastPipelineStatus,
        };
        return states.flatMap(({ type, effective }) =>
          plannedFor(type, effective, read.event, filters, owner).map((planned) =>
            mailHost ? { ...planned, mailHost } : planned,
          ),
        );
      },
    };
  };
}

function plannedFor(
  type: IntegrationType,
  effective: EffectiveSettings,
  event: DeliveryEvent,
  context: DeliveryContext,
  project: SettingsOwner,
): PlannedDelivery[] {
  const build = messageBuilderFor(type.slug);
  const mail = mailBuilderFor(type.slug);
  if (!effective.active || (!build && !mail)) return [];
  const events = { ...effective.events, ...type.reportedEvents?.(effective.fields) };
  // GitLab's chat notifications and emails hold events to their filters (branches, broken
  // pipelines); its other integrations take every event of their triggers.
  const decision =
    type.category === 'chat' || type.category === 'email'
      ? shouldNotify(event, { fields: effective.fields, events }, context)
      : triggerDecision(event, events);
  if (!decision.notify) return [];
  const settingsOwner = targetOwner(type, effective, project);
  const used = usedSettings(type, effective, integrationTriggerOf(event, events));
  const secrets = type.fields.filter(isSecretField).map((field) => String(effective.fields[field.name] ?? ''));
  const requests: StoredRequest[] = mail
    ? mail(event, effective.fields)
    : build!(event, effective.fields, decision.channels);
  return requests.map((request) => ({
    integration: type.slug,
    settingsOwner,
    request,
    used,
    secrets,
  }));
}
