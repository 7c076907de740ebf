"""python-gitlab, unmodified, doing one step against Cascade; prints what it saw as JSON.

Usage: python3 python_gitlab_client.py STEP   (with CASCADE_URL, CASCADE_TOKEN, PROJECT_PATH set)
Steps: whoami, browse, list, custom, inherit, delete, missing; and, with CASCADE_ADMIN_TOKEN and
MEMBER_ID set, tree (groups, a project, a member, a transfer, a deletion) and tree-refused.
"""
import json
import os
import sys

import gitlab

gl = gitlab.Gitlab(os.environ["CASCADE_URL"], private_token=os.environ["CASCADE_TOKEN"])
step = sys.argv[1]


def project():
    return gl.projects.get(os.environ["PROJECT_PATH"])


def shown(integration):
    return {"slug": integration.slug, "inherited": integration.inherited, "active": integration.active, "attributes": integration.attributes}


if step == "whoami":
    gl.auth()
    result = {"username": gl.user.username, "version": gl.version()[0]}
elif step == "browse":
    projects = gl.projects.list(per_page=2, get_all=True)
    group = gl.groups.get("top/sub")
    result = {"projects": sorted(p.path_with_namespace for p in projects), "group": group.full_path}
elif step == "list":
    integrations = project().integrations
    result = {"listed": [[i.slug, i.inherited] for i in integrations.list()], "slack": shown(integrations.get("slack"))}
elif step == "custom":
    slack = project().integrations.get("slack")
    slack.webhook = "https://hooks.slack.com/services/T2/B2/PYTHON"
    slack.channel = "#python"
    slack.username = "python-bot"
    slack.push_events = False
    slack.save()
    result = shown(slack)
elif step == "inherit":
    slack = project().integrations.get("slack")
    slack.use_inherited_settings = True
    slack.save()
    result = shown(slack)
elif step == "delete":
    project().integrations.delete("slack")
    result = {"deleted": True}
elif step == "missing":
    try:
        gl.projects.get("no/such/project")
        result = {"error": None}
    except gitlab.exceptions.GitlabGetError as error:
        result = {"error": error.response_code, "message": error.error_message}
elif step == "tree":
    admin = gitlab.Gitlab(os.environ["CASCADE_URL"], private_token=os.environ["CASCADE_ADMIN_TOKEN"])
    group = admin.groups.create({"name": "Python", "path": "python"})
    subgroup = admin.groups.create({"name": "Tools", "path": "tools", "parent_id": group.id})
    created = admin.projects.create({"name": "Py Tool", "namespace_id": subgroup.id})
    created.members.create({"user_id": int(os.environ["MEMBER_ID"]), "access_level": 30})
    members = [[m.username, m.access_level] for m in created.members.list(get_all=True)]
    created.transfer(group.id)
    moved = admin.projects.get(created.id)
    subgroup.transfer()
    top_level = admin.groups.get(subgroup.id)
    moved.delete()
    try:
        admin.projects.get(created.id)
        after_delete = None
    except gitlab.exceptions.GitlabGetError as error:
        after_delete = error.response_code
    result = {
        "group": group.full_path,
        "subgroup": subgroup.full_path,
        "project": [created.path, created.path_with_namespace],
        "members": members,
        "moved": moved.path_with_namespace,
        "subgroup_moved": [top_level.full_path, top_level.parent_id],
        "after_delete": after_delete,
    }
elif step == "tree-refused":
    try:
        gl.groups.create({"name": "Mine", "path": "mine"})
        result = {"error": None}
    except gitlab.exceptions.GitlabCreateError as error:
        result = {"error": error.response_code, "message": error.error_message}
else:
    sys.exit(f"unknown step {step}")

print(json.dumps(result))
