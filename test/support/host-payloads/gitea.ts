/**
 * @module test/support/host-payloads/gitea
 * Gitea's (and Forgejo's) webhook payloads, shaped as modules/structs/hook.go defines them
 * (PushPayload, RepositoryPayload, CreatePayload, DeletePayload) with the objects of
 * modules/structs/repo.go and user.go, filled from the test host's tree. The X-Gitea-Event
 * header names the event: "push", "repository", "create", "delete".
 */
import type { HostTree, TreeProject, TreeUser } from '../test-host.js';

/** modules/structs/user.go User, as a hook shows it. */
export function userObject(url: string, user: TreeUser): Record<string, unknown> {
  return {
    id: user.id,
    login: user.username,
    login_name: '',
    full_name: user.name,
    email: user.email,
    avatar_url: `${url}/avatars/${user.id}`,
    html_url: `${url}/${user.username}`,
    language: '',
    is_admin: user.isAdmin,
    active: user.state === 'active',
    prohibit_login: user.state === 'blocked',
    restricted: false,
    visibility: 'public',
    username: user.username,
  };
}

/** The owner of a repository: an organisation (a User of type organisation in Gitea), or a user. */
function ownerObject(tree: HostTree, url: string, project: TreeProject): Record<string, unknown> {
  if (project.namespace.kind === 'user') return userObject(url, tree.users.get(project.namespace.id)!);
  const org = tree.group(project.namespace.id);
  return {
    id: org.id,
    login: org.path,
    login_name: '',
    full_name: org.name,
    email: '',
    avatar_url: `${url}/avatars/${org.id}`,
    html_url: `${url}/${org.path}`,
    language: '',
    is_admin: false,
    active: false,
    prohibit_login: false,
    restricted: false,
    visibility: 'public',
    username: org.path,
  };
}

/** modules/structs/repo.go Repository. */
export function repositoryObject(tree: HostTree, url: string, project: TreeProject): Record<string, unknown> {
  const owner = ownerObject(tree, url, project);
  const fullName = `${String(owner.login)}/${project.path}`;
  const host = new URL(url).host;
  return {
    id: project.id,
    owner,
    name: project.path,
    full_name: fullName,
    description: project.description,
    empty: project.defaultBranch === null,
    private: true,
    fork: false,
    template: false,
    mirror: false,
    size: 0,
    html_url: `${url}/${fullName}`,
    url: `${url}/api/v1/repos/${fullName}`,
    ssh_url: `git@${host}:${fullName}.git`,
    clone_url: `${url}/${fullName}.git`,
    website: '',
    stars_count: 0,
    forks_count: 0,
    watchers_count: 0,
    open_issues_count: 0,
    default_branch: project.defaultBranch ?? 'main',
    archived: false,
    created_at: '2024-01-01T00:00:00Z',
    updated_at: '2024-01-01T00:00:00Z',
    internal: false,
  };
}

/** modules/structs/hook.go PushPayload: a push to a branch. */
export function pushPayload(
  tree: HostTree,
  url: string,
  project: TreeProject,
  user: TreeUser,
  ref = `refs/heads/${project.defaultBranch ?? 'main'}`,
): Record<string, unknown> {
  const repository = repositoryObject(tree, url, project);
  const commit = {
    id: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
    message: 'fixed readme\n',
    url: `${String(repository.html_url)}/commit/da1560886d4f094c3e6c9ef40349f7d38b5d27d7`,
    author: { name: user.name, email: user.email, username: user.username },
    committer: { name: user.name, email: user.email, username: user.username },
    verification: null,
    timestamp: '2024-01-01T00:00:00Z',
    added: [],
    removed: [],
    modified: ['README.md'],
  };
  return {
    ref,
    before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
    after: commit.id,
    compare_url: `${String(repository.html_url)}/compare/95790bf891e76fee5e1747ab589903a6a1f80f22...${commit.id}`,
    commits: [commit],
    total_commits: 1,
    head_commit: commit,
    repository,
    pusher: userObject(url, user),
    sender: userObject(url, user),
  };
}

/** modules/structs/hook.go RepositoryPayload: a repository created or deleted ("repository" event). */
export function repositoryPayload(
  tree: HostTree,
  url: string,
  action: 'created' | 'deleted',
  project: TreeProject,
  sender: TreeUser,
): Record<string, unknown> {
  const repository = repositoryObject(tree, url, project);
  return { action, repository, organization: repository.owner, sender: userObject(url, sender) };
}

/** modules/structs/hook.go CreatePayload and DeletePayload: a branch or tag made or removed. */
export function refPayload(
  tree: HostTree,
  url: string,
  event: 'create' | 'delete',
  project: TreeProject,
  user: TreeUser,
  ref: string,
  refType: 'branch' | 'tag' = 'branch',
): Record<string, unknown> {
  const common = {
    ref,
    ref_type: refType,
    repository: repositoryObject(tree, url, project),
    sender: userObject(url, user),
  };
  return event === 'create'
    ? { sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7', ...common }
    : { ...common, pusher_type: 'user' };
}
