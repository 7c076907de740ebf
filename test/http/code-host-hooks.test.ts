import { describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app.js';
import {
  deliver,
  hostHeaders,
  insertConnection,
  insertImportedProject,
  payload,
  signature,
  storedEvents,
} from '../support/code-host-events.js';

describe('the receiver of code hosts hooks', () => {
  it.each([
    ['system-project-create', 'System Hook', 'project_created', 74],
    ['system-project-rename', 'System Hook', 'project_renamed', 73],
    ['system-user-add-to-team', 'System Hook', 'member_added', 74],
    ['system-push', 'System Hook', 'push', 15],
    ['project-merge-request', 'Merge Request Hook', 'merge_request', 1],
    ['project-issue-confidential', 'Confidential Issue Hook', 'confidential_issue', 1],
  ])('stores GitLab’s documented %s payload once, with its kind and project', async (name, hostEvent, kind, hostId) => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const project = await insertImportedProject(db, gitlab, hostId);
    const body = payload(`gitlab-${name}`);
    const response = await deliver(app, gitlab.id, body, hostHeaders('gitlab', hostEvent, body));
    expect(response.status).toBe(201);
    const [event, ...rest] = await storedEvents(db);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ kind, hostEvent, hostProjectId: hostId, projectId: project.id, outcome: 'received' });
    expect(event!.payload).toBe(body);
  });

  it('stores a GitLab group event with no project', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-group-rename');
    expect((await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body))).status).toBe(201);
    expect(await storedEvents(db)).toMatchObject([{ kind: 'group_renamed', hostProjectId: null, projectId: null }]);
  });

  it.each(['gitea', 'forgejo'] as const)(
    'stores %s’s push and repository events signed with the secret',
    async (kind) => {
      const { app, db } = await createTestApp();
      const connection = await insertConnection(db, kind);
      const project = await insertImportedProject(db, connection, 140);
      const push = payload('gitea-push');
      const created = payload('gitea-repository-created');
      expect((await deliver(app, connection.id, push, hostHeaders(kind, 'push', push))).status).toBe(201);
      expect((await deliver(app, connection.id, created, hostHeaders(kind, 'repository', created))).status).toBe(201);
      expect(await storedEvents(db)).toMatchObject([
        { kind: 'push', hostProjectId: 140, projectId: project.id, outcome: 'received' },
        { kind: 'project_created', hostProjectId: 141, projectId: null, outcome: 'received' },
      ]);
    },
  );

  it('keeps a content event for a project Cascade does not know as unknown_project', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-push');
    expect((await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body))).status).toBe(201);
    expect(await storedEvents(db)).toMatchObject([{ kind: 'push', projectId: null, outcome: 'unknown_project' }]);
  });

  describe('refuses with 401 and stores nothing', () => {
    const body = payload('gitea-push');
    it.each([
      ['a forged GitLab token', 'gitlab', { 'x-gitlab-token': 'not-the-secret' }],
      [
        'a GitLab token that is the secret with more after it',
        'gitlab',
        { 'x-gitlab-token': 'hook-secret-0123456789abcdefX' },
      ],
      ['no GitLab token', 'gitlab', { 'x-gitlab-token': undefined }],
      ['a wrong Gitea signature', 'gitea', { 'x-gitea-signature': signature(body, 'another-secret') }],
      ['a Gitea signature of another body', 'gitea', { 'x-gitea-signature': signature(`${body} `) }],
      ['a Gitea signature that is not hex', 'gitea', { 'x-gitea-signature': 'z'.repeat(64) }],
      ['no Gitea signature', 'gitea', { 'x-gitea-signature': undefined }],
      ['a wrong Forgejo signature', 'forgejo', { 'x-forgejo-signature': signature(body, 'another-secret') }],
    ] as const)('%s', async (_name, kind, change) => {
      const { app, db } = await createTestApp();
      const connection = await insertConnection(db, kind);
      const headers: Record<string, string> = {
        ...hostHeaders(kind, kind === 'gitlab' ? 'System Hook' : 'push', body),
      };
      for (const [name, value] of Object.entries(change)) {
        if (value === undefined) delete headers[name];
        else headers[name] = value;
      }
      const response = await deliver(app, connection.id, body, headers);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ message: '401 Unauthorized' });
      expect(await storedEvents(db)).toEqual([]);
    });
  });

  it('stores a redelivered event once, also when both copies arrive at once', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-project-rename');
    const headers = hostHeaders('gitlab', 'System Hook', body);
    const statuses = await Promise.all([1, 2, 3].map(() => deliver(app, gitlab.id, body, headers))).then((all) =>
      all.map((response) => response.status).sort(),
    );
    expect(statuses).toEqual([200, 200, 201]);
    expect((await deliver(app, gitlab.id, body, headers)).status).toBe(200);
    expect(await storedEvents(db)).toHaveLength(1);
  });

  it('stores two deliveries of the same body with different delivery ids twice', async () => {
    const { app, db } = await createTestApp();
    const gitea = await insertConnection(db, 'gitea');
    const body = payload('gitea-push');
    await deliver(app, gitea.id, body, hostHeaders('gitea', 'push', body));
    await deliver(app, gitea.id, body, hostHeaders('gitea', 'push', body));
    expect(await storedEvents(db)).toHaveLength(2);
  });

  it.each([
    ['not JSON', '{"event_name": '],
    ['a JSON array', '[1, 2]'],
    ['an unknown event', '{"event_name": "project_exploded", "project_id": 1}'],
    ['a project event without its project', '{"event_name": "project_create"}'],
  ])('answers 400 to a body that is %s and stores nothing', async (_name, body) => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const response = await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body));
    expect(response.status).toBe(400);
    expect((await response.json()) as { message: string }).toMatchObject({
      message: expect.stringMatching(/^400 Bad request/),
    });
    expect(await storedEvents(db)).toEqual([]);
  });

  it('answers 2xx to a documented event Cascade does not use, and stores nothing', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-user-create');
    expect((await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body))).status).toBe(202);
    expect(await storedEvents(db)).toEqual([]);
  });

  it('refuses a body over 25 MB with 413 and stores nothing', async () => {
    const { app, db } = await createTestApp();
    const gitea = await insertConnection(db, 'gitea');
    const body = JSON.stringify({ ref: 'refs/heads/main', repository: { id: 1 }, pad: 'x'.repeat(25 * 1024 * 1024) });
    const response = await deliver(app, gitea.id, body, hostHeaders('gitea', 'push', body));
    expect(response.status).toBe(413);
    expect(await storedEvents(db)).toEqual([]);
  });

  it('answers 404 for a connection that does not exist', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-push');
    const response = await deliver(app, gitlab.id + 1, body, hostHeaders('gitlab', 'System Hook', body));
    expect(response.status).toBe(404);
    expect(await storedEvents(db)).toEqual([]);
  });

  it('answers 2xx to a paused connection, so that the host keeps its hook, and stores nothing', async () => {
    const { app, db } = await createTestApp();
    const gitlab = await insertConnection(db, 'gitlab', { pausedAt: new Date() });
    const body = payload('gitlab-system-push');
    expect((await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body))).status).toBe(202);
    expect(await storedEvents(db)).toEqual([]);
  });

  it('needs no session and no Origin, and wakes the processor for the stored event', async () => {
    const woken: number[] = [];
    const { app, db } = await createTestApp({ hostEventProcessor: { wake: async (id) => void woken.push(id) } });
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-project-create');
    const response = await deliver(app, gitlab.id, body, {
      ...hostHeaders('gitlab', 'System Hook', body),
      origin: 'https://evil.example',
    });
    expect(response.status).toBe(201);
    expect(woken).toEqual([gitlab.id]);
  });

  it('wakes delivery, not the processor, for a content event', async () => {
    const woken: number[] = [];
    let deliveries = 0;
    const { app, db } = await createTestApp({
      hostEventProcessor: { wake: async (id) => void woken.push(id) },
      delivery: { wake: () => void deliveries++ },
    });
    const gitlab = await insertConnection(db, 'gitlab');
    const body = payload('gitlab-system-push');
    expect((await deliver(app, gitlab.id, body, hostHeaders('gitlab', 'System Hook', body))).status).toBe(201);
    expect(await storedEvents(db)).toMatchObject([{ kind: 'push' }]);
    expect(woken).toEqual([]);
    expect(deliveries).toBe(1);
  });
});
