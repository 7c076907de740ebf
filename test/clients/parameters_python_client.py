"""python-gitlab, unmodified, saving and reading back an integration's parameters on Cascade.

Prints what the client read back as JSON. Usage:
  python3 parameters_python_client.py save LEVEL SLUG < parameters.json
  python3 parameters_python_client.py disable LEVEL SLUG
LEVEL is project (the project's integrations manager, as its maintainer), group or instance
(raw requests through the client, as an administrator: python-gitlab has no group or instance
integrations manager). Needs CASCADE_URL, CASCADE_TOKEN, CASCADE_ADMIN_TOKEN, PROJECT_PATH, GROUP_PATH.
"""
import json
import os
import sys

import gitlab

url = os.environ["CASCADE_URL"]
maintainer = gitlab.Gitlab(url, private_token=os.environ["CASCADE_TOKEN"])
admin = gitlab.Gitlab(url, private_token=os.environ["CASCADE_ADMIN_TOKEN"])
step, level, slug = sys.argv[1:4]


def raw_path():
    if level == "group":
        return f"/groups/{admin.groups.get(os.environ['GROUP_PATH']).id}/integrations/{slug}"
    return f"/admin/application_settings/integrations/{slug}"


def integrations():
    return maintainer.projects.get(os.environ["PROJECT_PATH"]).integrations


if level == "project":
    if step == "save":
        integrations().update(slug, json.load(sys.stdin))
    elif step == "disable":
        integrations().delete(slug)
    read = integrations().get(slug).attributes
elif level in ("group", "instance"):
    if step == "save":
        admin.http_put(raw_path(), post_data=json.load(sys.stdin))
    elif step == "disable":
        admin.http_delete(raw_path())
    read = admin.http_get(raw_path())
else:
    sys.exit(f"unknown level {level}")

print(json.dumps(read))
