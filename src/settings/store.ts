/**
 * @module settings/store
 * Reads and writes the integration settings rows of the instance, groups and projects. The
 * chain of a project (its own row, its groups' rows, the instance's) for every type is loaded
 * with one query; secrets are sealed per row and opened only here.
 */
import { and, count, eq, isNotNull, isNull, or, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { inJsonArray, perDatabase, prepareNamed, type Queryable, type Tx } from '../db/client.js';
import { integrationSettings, type IntegrationSettingsRow } from '../db/schema.js';
import { Conflict } from '../errors.js';
import { findIntegrationType } from '../integrations/index.js';
import { isUniqueViolation } from '../model/unique.js';
import type { FieldValue } from '../integrations/types.js';
import { deriveKey, seal, unseal } from '../seal.js';
import type { Enforcement, SettingsOwner, SettingsRow } from './resolve.js';

/** What a level sets itself; keys left out are inherited (per-field inheritance). */
export interface OwnSettings {
  active?: boolean | undefined;
  fields: Record<string, FieldValue>;
  events: Record<string, boolean>;
}

export interface StoredSettings extends SettingsRow {
  /** The row's id. */
  id: number;
  type: string;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

const chainStatements = perDatabase((db) => {
  // The rows of the instance, of the groups in `groupIds` (a JSON array) and of the project `projectId`.
  const inChain = or(
    and(isNull(integrationSettings.groupId), isNull(integrationSettings.projectId)),
    inJsonArray(db.engine, integrationSettings.groupId, sql.placeholder('groupIds'), 'integer'),
    eq(integrationSettings.projectId, sql.placeholder('projectId')),
  );
  return {
    allTypes: prepareNamed(db.select().from(integrationSettings).where(inChain), 'settings_chain'),
    ofType: prepareNamed(
      db
        .select()
        .from(integrationSettings)
        .where(and(inChain, eq(integrationSettings.type, sql.placeholder('type')))),
      'settings_chain_of_type',
    ),
  };
});

/** The row an owner has for a type, one statement per level. */
const ownStatements = perDatabase((db) => {
  const ofType = eq(integrationSettings.type, sql.placeholder('type'));
  const select = (owner: SQL | undefined, name: string) =>
    prepareNamed(db.select().from(integrationSettings).where(and(ofType, owner)), name);
  return {
    instance: select(
      and(isNull(integrationSettings.groupId), isNull(integrationSettings.projectId)),
      'settings_own_instance',
    ),
    group: select(eq(integrationSettings.groupId, sql.placeholder('id')), 'settings_own_group'),
    project: select(eq(integrationSettings.projectId, sql.placeholder('id')), 'settings_own_project'),
  };
});

/** The rows of a type of the groups in `groupIds` and the projects in `projectIds` (JSON arrays), each by its own index. */
const ofOwnersStatement = perDatabase((db) => {
  const ofType = eq(integrationSettings.type, sql.placeholder('type'));
  const inJson = (column: SQLWrapper, ids: string) => inJsonArray(db.engine, column, sql.placeholder(ids), 'integer');
  return prepareNamed(
    db
      .select()
      .from(integrationSettings)
      .where(and(ofType, inJson(integrationSettings.groupId, 'groupIds')))
      .unionAll(
        db
          .select()
          .from(integrationSettings)
          .where(and(ofType, inJson(integrationSettings.projectId, 'projectIds'))),
      ),
    'settings_of_owners',
  );
});

/** A save over an existing row: the values given as the database stores them (booleans as 0/1, times in ms). */
const updateStatement = perDatabase((db) =>
  db
    .update(integrationSettings)
    .set({
      active: sql`${sql.placeholder('active')}`,
      fields: sql`${sql.placeholder('fields')}`,
      events: sql`${sql.placeholder('events')}`,
      secrets: sql`${sql.placeholder('secrets')}`,
      updatedBy: sql`${sql.placeholder('updatedBy')}`,
      updatedAt: sql`${sql.placeholder('updatedAt')}`,
      version: sql`${integrationSettings.version} + 1`,
    })
    .where(eq(integrationSettings.id, sql.placeholder('id')))
    .returning()
    .prepare(),
);

/** "instance", "group:5", "project:7": where a row belongs, also bound into its sealed secrets. */
export function ownerKey(owner: Pick<SettingsOwner, 'level' | 'id'>): string {
  return owner.level === 'instance' ? 'instance' : `${owner.level}:${owner.id}`;
}

/** The condition on integration_settings that selects an owner's rows. */
export function ownerFilter(owner: Pick<SettingsOwner, 'level' | 'id'>) {
  if (owner.level === 'project') return eq(integrationSettings.projectId, owner.id!);
  if (owner.level === 'group') return eq(integrationSettings.groupId, owner.id!);
  return and(isNull(integrationSettings.groupId), isNull(integrationSettings.projectId));
}

function rowOwnerKey(row: IntegrationSettingsRow): string {
  if (row.projectId !== null) return `project:${row.projectId}`;
  if (row.groupId !== null) return `group:${row.groupId}`;
  return 'instance';
}

/**
 * Reads and writes through `db`: the database, or a transaction (see {@link SettingsStore.within}).
 * Each write is a transaction of its own, or a part of the one the store is within.
 *
 * @example
 * const store = new SettingsStore(db, secretKeyBase)
 * const chains = await store.loadChains([projectOwner, groupOwner, INSTANCE_OWNER])
 * chains.get('slack') // rows nearest first, secrets opened
 */
export class SettingsStore {
  private readonly key: Buffer;

  constructor(
    readonly db: Queryable,
    secretKeyBase: string | Buffer,
  ) {
    this.key =
      typeof secretKeyBase === 'string' ? deriveKey(secretKeyBase, 'integration settings secrets') : secretKeyBase;
  }

  /**
   * The same store inside a transaction: its reads see the transaction's writes, and its writes
   * commit or roll back with it.
   *
   * @example
   * await db.transaction(async (tx) => {
   *   const current = await store.within(tx).findCurrent(owner, 'slack', version)
   *   await store.within(tx).remove(owner, 'slack')
   * })
   */
  within(tx: Tx): SettingsStore {
    return new SettingsStore(tx, this.key);
  }

  /** Every type's rows along a chain of owners (nearest first), in one query. */
  async loadChains(chain: readonly SettingsOwner[], type?: string): Promise<Map<string, StoredSettings[]>> {
    const params = {
      groupIds: JSON.stringify(chain.filter((o) => o.level === 'group').map((o) => o.id)),
      projectId: chain.find((o) => o.level === 'project')?.id ?? -1,
    };
    const statements = chainStatements(this.db);
    const rows = type
      ? await statements.ofType.execute({ ...params, type })
      : await statements.allTypes.execute(params);
    const position = new Map(chain.map((owner, index) => [ownerKey(owner), index]));
    const byType = new Map<string, StoredSettings[]>();
    for (const row of rows.sort((a, b) => position.get(rowOwnerKey(a))! - position.get(rowOwnerKey(b))!)) {
      const owner = chain[position.get(rowOwnerKey(row))!]!;
      const list = byType.get(row.type) ?? [];
      list.push(this.open(row, owner));
      byType.set(row.type, list);
    }
    return byType;
  }

  /** The row the owner itself has for a type, if any. */
  async findOwn(owner: SettingsOwner, type: string): Promise<StoredSettings | undefined> {
    const row = (await ownStatements(this.db)[owner.level].execute({ type, id: owner.id ?? -1 }))[0];
    return row ? this.open(row, owner) : undefined;
  }

  /**
   * The rows groups and projects have for a type, in one query, in the order of `owners`
   * (undefined for one that has none).
   */
  async findOwnOfEach(owners: readonly SettingsOwner[], type: string): Promise<(StoredSettings | undefined)[]> {
    const idsAt = (level: SettingsOwner['level']) =>
      JSON.stringify(owners.filter((owner) => owner.level === level).map((owner) => owner.id));
    const rows = new Map(
      (await ofOwnersStatement(this.db).execute({ type, groupIds: idsAt('group'), projectIds: idsAt('project') })).map(
        (row) => [rowOwnerKey(row), row],
      ),
    );
    return owners.map((owner) => {
      const row = rows.get(ownerKey(owner));
      return row ? this.open(row, owner) : undefined;
    });
  }

  /**
   * The row the owner has for a type, as a form loaded at `expectedVersion` (0: no row yet)
   * saw it; throws {@link Conflict} if someone changed it since.
   */
  async findCurrent(owner: SettingsOwner, type: string, expectedVersion: number): Promise<StoredSettings | undefined> {
    const current = await this.findOwn(owner, type);
    if ((current?.version ?? 0) !== expectedVersion) throw staleForm();
    return current;
  }

  /**
   * Writes the owner's own settings for a type: a single row, whatever the number of levels
   * that inherit them. `expectedVersion` is the version the form was loaded at (0: no row yet);
   * a save from a stale form throws {@link Conflict} and changes nothing.
   */
  async save(
    owner: SettingsOwner,
    type: string,
    own: OwnSettings,
    expectedVersion: number,
    userId: number | null,
  ): Promise<StoredSettings> {
    return this.db.transaction(async (tx) => {
      const current = await this.within(tx).findCurrent(owner, type, expectedVersion);
      const { secrets, fields } = splitSecrets(own.fields, secretFieldNames(type));
      const values = {
        active: own.active ?? null,
        fields: JSON.stringify(fields),
        events: JSON.stringify(own.events),
        secrets:
          Object.keys(secrets).length > 0
            ? seal(this.key, JSON.stringify(secrets), `${type}/${ownerKey(owner)}`)
            : null,
        updatedBy: userId,
        updatedAt: new Date(),
      };
      const row = current
        ? (
            await updateStatement(tx).execute({
              ...values,
              active: values.active === null ? null : Number(values.active),
              updatedAt: values.updatedAt.getTime(),
              id: current.id,
            })
          )[0]!
        : await insertFirst(tx, owner, type, values);
      return this.open(row, owner);
    });
  }

  /**
   * Sets (or, with null, lifts) what the owner enforces on every level below. The values below
   * are left as they are, so they apply again when the enforcement is lifted. `expectedVersion`
   * undefined applies it to the row as it is now (the API: the last write wins).
   */
  async setEnforcement(
    owner: SettingsOwner,
    type: string,
    enforcement: Enforcement | null,
    expectedVersion: number | undefined,
  ): Promise<StoredSettings> {
    return this.db.transaction(async (tx) => {
      const current = await this.within(tx).findOwn(owner, type);
      if (!current || (expectedVersion !== undefined && current.version !== expectedVersion)) throw staleForm();
      const row = (
        await tx
          .update(integrationSettings)
          .set({
            enforced: enforcement ? JSON.stringify(enforcement) : null,
            version: current.version + 1,
            updatedAt: new Date(),
          })
          .where(and(eq(integrationSettings.type, type), ownerFilter(owner)))
          .returning()
      )[0]!;
      return this.open(row, owner);
    });
  }

  /** Removes the owner's own settings (it inherits from then on); false if it had none. */
  async remove(owner: SettingsOwner, type: string, expectedVersion?: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const current = await this.within(tx).findOwn(owner, type);
      if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion) throw staleForm();
      if (!current) return false;
      await tx.delete(integrationSettings).where(and(eq(integrationSettings.type, type), ownerFilter(owner)));
      return true;
    });
  }

  /** How many projects have their own settings, per type. */
  async customProjectCounts(): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ type: integrationSettings.type, n: count() })
      .from(integrationSettings)
      .where(isNotNull(integrationSettings.projectId))
      .groupBy(integrationSettings.type);
    return new Map(rows.map((row) => [row.type, row.n]));
  }

  private open(row: IntegrationSettingsRow, owner: SettingsOwner): StoredSettings {
    const fields = JSON.parse(row.fields) as Record<string, FieldValue>;
    if (row.secrets) {
      const opened = unseal(this.key, row.secrets, `${row.type}/${rowOwnerKey(row)}`);
      // A secret that no longer opens (SECRET_KEY_BASE changed) counts as not set: it must be entered again.
      if (opened !== null) Object.assign(fields, JSON.parse(opened) as Record<string, string>);
    }
    return {
      owner,
      id: row.id,
      type: row.type,
      active: row.active ?? undefined,
      fields,
      events: JSON.parse(row.events) as Record<string, boolean>,
      enforced: row.enforced ? (JSON.parse(row.enforced) as Enforcement) : undefined,
      version: row.version,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}

/** A level's first row for a type; one that another writer created meanwhile makes the form stale. */
async function insertFirst(
  tx: Tx,
  owner: SettingsOwner,
  type: string,
  values: Omit<typeof integrationSettings.$inferInsert, 'type'>,
): Promise<IntegrationSettingsRow> {
  try {
    return (
      await tx
        .insert(integrationSettings)
        .values({
          ...values,
          type,
          groupId: owner.level === 'group' ? owner.id : null,
          projectId: owner.level === 'project' ? owner.id : null,
        })
        .returning()
    )[0]!;
  } catch (error) {
    throw isUniqueViolation(error) ? staleForm() : error;
  }
}

function staleForm(): Conflict {
  return new Conflict(
    'Someone else changed these settings after you opened the form. Review the current values and save again.',
  );
}

function secretFieldNames(slug: string): ReadonlySet<string> {
  const type = findIntegrationType(slug);
  return new Set(type ? type.fields.filter((field) => field.kind === 'secret').map((field) => field.name) : []);
}

function splitSecrets(values: Record<string, FieldValue>, secretNames: ReadonlySet<string>) {
  const secrets: Record<string, FieldValue> = {};
  const fields: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(values)) (secretNames.has(name) ? secrets : fields)[name] = value;
  return { secrets, fields };
}
