/**
 * @module views/pages/integrations/overrides
 * "Projects using custom settings": the descendants that override a default, what they change,
 * and switching them back, one by one or as a selection.
 */
import { integrationsUrl, integrationUrl } from '../../../src/http/paths.js';
import type { Field, FieldValue, IntegrationType } from '../../../src/integrations/types.js';
import type { SettingsOwner } from '../../../src/settings/resolve.js';
import { ActionsHeader, EmptyState, SearchForm } from '../../components/lists.js';
import { messageBuilderFor } from '../../../src/delivery/messages/index.js';
import { IntegrationTabs } from './edit.js';

export interface OverrideDifference {
  label: string;
  /** The descendant's own value; null for secrets, which are only said to differ. */
  value: string | null;
}

export interface OverrideListEntry {
  owner: SettingsOwner;
  differences: OverrideDifference[];
}

interface OverridesPageProps {
  type: IntegrationType;
  baseUrl: string;
  entries: OverrideListEntry[];
  search: string;
  /** Where the next page starts (keyset), or null on the last page. */
  next: string | null;
  isFirstPage: boolean;
  /** Every descendant with custom settings, those the viewer may not open included. */
  customCount: number;
  /** Those of them the viewer may not open: counted, never named. */
  hiddenCount: number;
  canManage: boolean;
}

export const targetValue = (owner: SettingsOwner) => `${owner.level}:${owner.id}`;

const settingsHref = (owner: SettingsOwner, slug: string) => integrationUrl(integrationsUrl(owner), slug);

/** A value as a short text for the differences column. */
export function describeValue(field: Field | undefined, value: FieldValue | undefined): string | null {
  if (field?.kind === 'secret') return null;
  if (value === null || value === undefined || value === '') return '(blank)';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.join(', ');
  const choice = field?.choices?.find((option) => option.value === value);
  return choice ? choice.label : String(value);
}

/** "3 more projects or groups use custom settings; you cannot open them." */
const hiddenSentence = (n: number) =>
  n === 1
    ? '1 more project or group uses custom settings; you cannot open it.'
    : `${n} more projects or groups use custom settings; you cannot open them.`;

function emptyMessage(search: string, hiddenCount: number): string {
  if (search) return 'Nothing matches your search.';
  return hiddenCount > 0
    ? 'No project or group you can open uses custom settings.'
    : 'No project or group uses custom settings.';
}

export function OverridesPage({
  type,
  baseUrl,
  entries,
  search,
  next,
  isFirstPage,
  customCount,
  hiddenCount,
  canManage,
}: OverridesPageProps) {
  const listUrl = integrationUrl(baseUrl, type.slug, 'overrides');
  const query = (after: string) => {
    const params = new URLSearchParams();
    if (search) params.set('search', search);
    if (after) params.set('after', after);
    const text = params.toString();
    return text ? `${listUrl}?${text}` : listUrl;
  };
  return (
    <>
      <div class="integration-header">
        <h1>{type.title}</h1>
      </div>
      <IntegrationTabs
        baseUrl={baseUrl}
        slug={type.slug}
        hasDescendants
        current="overrides"
        customCount={customCount}
        delivers={messageBuilderFor(type.slug) !== undefined}
      />
      <p class="lead">
        These projects and groups use custom settings, so changes to the default do not reach them. Switching one back
        deletes its custom settings; it then uses the default.
      </p>
      <SearchForm action={listUrl} value={search} label="Search by name or path" />
      {entries.length === 0 ? (
        <EmptyState>{emptyMessage(search, hiddenCount)}</EmptyState>
      ) : (
        <form method="post" action={integrationUrl(baseUrl, type.slug, 'overrides/reset')}>
          <table class="table">
            <caption class="visually-hidden">Projects and groups using custom settings</caption>
            <thead>
              <tr>
                {canManage && (
                  <th scope="col">
                    <span class="visually-hidden">Select</span>
                  </th>
                )}
                <th scope="col">Project or group</th>
                <th scope="col">Differs from the default</th>
                {canManage && <ActionsHeader />}
              </tr>
            </thead>
            <tbody>
              {entries.map(({ owner, differences }) => (
                <tr>
                  {canManage && (
                    <td>
                      <input
                        type="checkbox"
                        name="targets"
                        value={targetValue(owner)}
                        id={`select-${targetValue(owner)}`}
                      />
                      <label for={`select-${targetValue(owner)}`} class="visually-hidden">
                        Select {owner.name}
                      </label>
                    </td>
                  )}
                  <td>
                    <a href={settingsHref(owner, type.slug)}>{owner.path}</a>
                    <div class="muted">{owner.level === 'group' ? 'Group' : 'Project'}</div>
                  </td>
                  <td data-label="Differs from the default">
                    {differences.length === 0 ? (
                      <span class="muted">Same values as the default</span>
                    ) : (
                      <ul class="differences">
                        {differences.map((difference) => (
                          <li>
                            {difference.label}: {difference.value === null ? <em>differs</em> : difference.value}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  {canManage && (
                    <td>
                      <button type="submit" name="target" value={targetValue(owner)} class="button">
                        Use default settings<span class="visually-hidden"> for {owner.path}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          {canManage && (
            <div class="form-actions">
              <button type="submit" class="button button-primary">
                Use default settings for the selected
              </button>
            </div>
          )}
        </form>
      )}
      {hiddenCount > 0 && <p class="muted">{hiddenSentence(hiddenCount)}</p>}
      <nav class="pagination" aria-label="Pagination">
        {!isFirstPage && <a href={query('')}>« First page</a>}
        {next && (
          <a href={query(next)} rel="next">
            Next page ›
          </a>
        )}
      </nav>
    </>
  );
}
