"""python-gitlab, unmodified, doing one step of GitLab's integrations behaviour against Cascade.

Prints what it saw as JSON. Usage: python3 integrations_python_client.py STEP
(with CASCADE_URL, CASCADE_TOKEN, PROJECT_PATH set).
Steps: disable, errors, services, version.
"""
import json
import os
import sys

import gitlab

gl = gitlab.Gitlab(os.environ["CASCADE_URL"], private_token=os.environ["CASCADE_TOKEN"])
step = sys.argv[1]


def project():
    return gl.projects.get(os.environ["PROJECT_PATH"])


def failure(call):
    try:
        call()
        return None
    except gitlab.exceptions.GitlabError as error:
        return {"status": error.response_code, "message": error.error_message}


if step == "disable":
    slack = project().integrations.get("slack")
    slack.webhook = "https://hooks.slack.com/services/T3/B3/DISABLE"
    slack.channel = "#to-disable"
    slack.save()
    project().integrations.delete("slack")
    after = project().integrations.get("slack")
    listed = [i.slug for i in project().integrations.list()]
    result = {"active": after.active, "inherited": after.inherited, "listed": listed}
elif step == "errors":
    integrations = project().integrations
    result = {
        "unknown_get": failure(lambda: integrations.get("no-such-thing")),
        "unknown_delete": failure(lambda: integrations.delete("no-such-thing")),
        "missing": failure(lambda: integrations.update("microsoft-teams", {"branches_to_be_notified": "all"})),
    }
elif step == "services":
    path = f"/projects/{project().id}/services/slack"
    saved = gl.http_put(path, post_data={"webhook": "https://hooks.slack.com/services/T4/B4/OLD", "channel": "#services"})
    read = gl.http_get(path)
    result = {"saved": saved["properties"]["channel"], "read": read["properties"]["channel"], "same": saved == read}
elif step == "version":
    slack = project().integrations.get("slack")
    slack.channel = "#versioned"
    slack.save()
    version = project().integrations.get("slack").version
    path = f"/projects/{project().id}/integrations/slack"
    gl.http_put(path, post_data={"channel": "#careful", "version": version})
    result = {"stale": failure(lambda: gl.http_put(path, post_data={"channel": "#late", "version": version}))}
else:
    sys.exit(f"unknown step {step}")

print(json.dumps(result))
