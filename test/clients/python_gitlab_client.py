"""python-gitlab, unmodified, doing one step against Cascade; prints what it saw as JSON.

Usage: python3 python_gitlab_client.py STEP   (with CASCADE_URL, CASCADE_TOKEN, PROJECT_PATH set)
Steps: whoami, browse, list, custom, inherit, delete, missing.
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
else:
    sys.exit(f"unknown step {step}")

print(json.dumps(result))
