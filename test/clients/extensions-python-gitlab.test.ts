/**
 * python-gitlab, unmodified (its generic http_get/http_put/http_post/http_delete), against what
 * Cascade adds to GitLab's API: enforcing a group's and the instance's values and pushing them
 * down, the instance's defaults, and the older `/services` listing and DELETE.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonSteps, startClientServer, type ClientServer } from './support.js';

let cascade: ClientServer;
const python = pythonSteps('extensions_python_client.py', () => cascade);

beforeAll(async () => {
  cascade = await startClientServer();
});

afterAll(async () => {
  await cascade?.close();
});

describe("python-gitlab and Cascade's additions to the API", () => {
  it("enforces a group's value on its project, pushes it down, and lifts it", async () => {
    expect(await python('enforce')).toEqual({
      group_list: ['slack'],
      preview: { enforced: null, overriding_descendants: { projects: 1, groups: 0 } },
      enforced: { keys: ['username'], reason: 'One bot' },
      project_username: 'sub-bot',
      project_enforced: ['username'],
      pushed: { changed_descendants: { projects: 1, groups: 0 } },
      lifted: null,
    });
  });

  it("lists, enforces and disables the instance's defaults", async () => {
    expect(await python('instance')).toEqual({
      listed: ['slack'],
      preview: null,
      enforced: ['channel'],
      pushed: { changed_descendants: { projects: 1, groups: 1 } },
      disabled: { active: false, inherited: false },
      listed_after: [],
    });
  });

  it('lists and disables through the older /services path', async () => {
    expect(await python('services')).toEqual({ listed: ['slack'], active: false });
  });
});
