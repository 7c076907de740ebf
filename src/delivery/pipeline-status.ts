/**
 * @module delivery/pipeline-status
 * The status of each ref's last finished pipeline, kept from the pipeline events Cascade
 * dispatches, as GitLab's Ci::Ref keeps it (app/models/ci/ref.rb `update_status_by!`): only a
 * passed or failed pipeline changes it, and only when no newer pipeline of the ref finished
 * before it. `notify_only_when_pipeline_status_changes` compares a pipeline with what was there
 * before it. The dispatcher reads and writes it in the transaction that stores the event's
 * deliveries, so events are applied one after another.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { pipelineStatuses } from '../db/schema.js';
import type { DeliveryEvent } from './event.js';

/** A pipeline that passed or failed, on its full ref (`refs/heads/main`), by the host's pipeline id. */
export interface FinishedPipeline {
  ref: string;
  id: number;
  status: 'success' | 'failed';
}

/** What a ref's last finished pipeline did, and which pipeline that was. */
export interface RefStatus {
  status: 'success' | 'failed';
  pipelineId: number;
}

/**
 * The pipeline an event reports as passed or failed; null for any other event or status
 * (running, canceled, skipped, ...), which changes no ref's status.
 *
 * @example
 * finishedPipelineOf({ kind: 'pipeline', pipeline: { id: 31, status: 'failed', ref: 'main', tag: false, ... }, ... })
 * // { ref: 'refs/heads/main', id: 31, status: 'failed' }
 */
export function finishedPipelineOf(event: DeliveryEvent): FinishedPipeline | null {
  if (event.kind !== 'pipeline') return null;
  const { id, status, ref, tag } = event.pipeline;
  if (status !== 'success' && status !== 'failed') return null;
  return { ref: `refs/${tag ? 'tags' : 'heads'}/${ref}`, id, status };
}

/**
 * The status the pipeline is compared with: the ref's, unless a newer pipeline set it (GitLab
 * gives such a pipeline no ref status, so it is neither `broken` nor `fixed`). A pipeline retried
 * to a new result keeps its id and is compared with its own earlier result.
 *
 * @example
 * statusBefore({ ref: 'refs/heads/main', id: 31, status: 'failed' }, { status: 'success', pipelineId: 30 }) // 'success'
 * statusBefore({ ref: 'refs/heads/main', id: 29, status: 'failed' }, { status: 'success', pipelineId: 30 }) // null
 */
export function statusBefore(pipeline: FinishedPipeline, last: RefStatus | null): RefStatus['status'] | null {
  return last && last.pipelineId <= pipeline.id ? last.status : null;
}

export async function refStatusOf(tx: Tx, projectId: number, ref: string): Promise<RefStatus | null> {
  const [row] = await tx
    .select({ status: pipelineStatuses.status, pipelineId: pipelineStatuses.pipelineId })
    .from(pipelineStatuses)
    .where(and(eq(pipelineStatuses.projectId, projectId), eq(pipelineStatuses.ref, ref)))
    .limit(1);
  return row ?? null;
}

/** Makes the pipeline the ref's last finished one, unless a newer one is already. */
export async function recordFinishedPipeline(tx: Tx, projectId: number, pipeline: FinishedPipeline, now: Date) {
  const row = { status: pipeline.status, pipelineId: pipeline.id, updatedAt: now };
  await tx
    .insert(pipelineStatuses)
    .values({ projectId, ref: pipeline.ref, ...row })
    .onConflictDoUpdate({
      target: [pipelineStatuses.projectId, pipelineStatuses.ref],
      set: row,
      setWhere: sql`${pipelineStatuses.pipelineId} <= ${pipeline.id}`,
    });
}
