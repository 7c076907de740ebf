/**
 * python-gitlab's own unit tests for integrations (tests/unit/objects/test_services.py), run
 * against a live Cascade instead of mocked responses: the same calls on a lazy project, the same
 * slugs and parameters, and the same assertions on what comes back. Each `it` names the unit
 * test it mirrors. The fixture's project has Pipeline status emails set up; here python-gitlab
 * sets them up first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonSteps, startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;

/** Runs one mirrored unit test's calls. */
const python = pythonSteps('python_gitlab_shapes_client.py', () => cascade);

beforeAll(async () => {
  cascade = await startClientServer();
  expect(await python('configure')).toEqual({ active: true });
});

afterAll(async () => {
  await cascade?.close();
});

describe("python-gitlab's unit tests for integrations, against Cascade", () => {
  it('test_list_active_integrations: list() gives ProjectIntegration objects, each active, without properties', async () => {
    const { is_list, integration_objects, first, listed } = await python('list_active_integrations');
    expect(is_list).toBe(true);
    expect(integration_objects).toBe(true);
    expect(first).toMatchObject({ slug: 'pipelines-email', active: true, properties: null });
    expect(listed).toEqual([
      expect.objectContaining({ slug: 'pipelines-email', active: true }),
      // The unit test's `assert integrations[0].push_events` holds for a type with push events.
      expect.objectContaining({ slug: 'slack', active: true, push_events: true, properties: null }),
    ]);
  });

  it('test_list_available_integrations: available() gives the slugs python-gitlab knows, as strings', async () => {
    // available() asks no server: python-gitlab lists its own table of types.
    const { is_list, strings, available } = await python('list_available_integrations');
    expect(is_list).toBe(true);
    expect(strings).toBe(true);
    expect(available).toEqual(expect.arrayContaining(['pipelines-email', 'slack']));
  });

  it('test_get_integration: get("pipelines-email") gives a ProjectIntegration with its title and properties', async () => {
    expect(await python('get_integration')).toEqual({
      integration_object: true,
      class: 'ProjectIntegration',
      slug: 'pipelines-email',
      title: 'Pipeline status emails',
      active: true,
      // GitLab reports its column defaults (true); Cascade reports a type's own events only (docs/api.md).
      push_events: false,
      issues_events: false,
      pipeline_events: true,
      properties: expect.objectContaining({ recipients: 'ops@example.com', notify_only_broken_pipelines: true }),
    });
  });

  it('test_update_integration: issues_events = False and save() reads back False', async () => {
    const { after_save, read_again } = await python('update_integration');
    expect(after_save).toMatchObject({ slug: 'pipelines-email', issues_events: false, active: true });
    expect(read_again).toEqual(after_save);
  });

  it('test_update_integration, on Slack: issues events on before, off after save(), also when read again', async () => {
    const { before, after_save, read_again } = await python('update_integration:slack');
    expect(before).toBe(true);
    expect(after_save).toMatchObject({ slug: 'slack', issues_events: false, push_events: true, active: true });
    expect(read_again).toEqual(after_save);
  });

  it('test_get_service_returns_service: the older services.get("pipelines-email") gives a ProjectService', async () => {
    // python-gitlab's ProjectServiceManager keeps the /integrations path; only the class differs.
    expect(await python('get_service_returns_service')).toMatchObject({
      service_object: true,
      class: 'ProjectService',
      slug: 'pipelines-email',
      properties: expect.objectContaining({ recipients: 'ops@example.com' }),
    });
  });
});
