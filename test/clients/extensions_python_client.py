"""python-gitlab, unmodified, calling what Cascade adds to GitLab's API (enforcement, push, the
instance's defaults) and the older /services listing, through its generic http_* calls.

Prints what it saw as JSON. Usage: python3 extensions_python_client.py STEP
(with CASCADE_URL, CASCADE_ADMIN_TOKEN, PROJECT_PATH set).
Steps: enforce, instance, services.
"""
import json
import os
import sys
from urllib.parse import quote

import gitlab

gl = gitlab.Gitlab(os.environ["CASCADE_URL"], private_token=os.environ["CASCADE_ADMIN_TOKEN"])
step = sys.argv[1]
project_path = quote(os.environ["PROJECT_PATH"], safe="")
group = "/groups/top%2Fsub/integrations/slack"
instance = "/admin/application_settings/integrations"

if step == "enforce":
    gl.http_put(group, post_data={"channel": "#sub", "username": "sub-bot"})
    group_list = [each["slug"] for each in gl.http_get("/groups/top%2Fsub/integrations")]
    gl.http_put(f"/projects/{project_path}/integrations/slack", post_data={"username": "own-bot"})
    preview = gl.http_get(f"{group}/enforcement", query_data={"keys[]": "username"})
    enforced = gl.http_put(f"{group}/enforcement", post_data={"keys": ["username"], "reason": "One bot"})
    seen = gl.projects.get(os.environ["PROJECT_PATH"]).integrations.get("slack")
    pushed = gl.http_post(f"{group}/push", post_data={"keys": ["username"]})
    gl.http_delete(f"{group}/enforcement")
    after = gl.http_get(f"{group}/enforcement", query_data={"keys[]": "username"})
    result = {
        "group_list": group_list,
        "preview": preview,
        "enforced": enforced["enforced"],
        "project_username": seen.properties.get("username"),
        "project_enforced": sorted(seen.enforced.keys()),
        "pushed": pushed,
        "lifted": after["enforced"],
    }
elif step == "instance":
    listed = [each["slug"] for each in gl.http_get(instance)]
    preview = gl.http_get(f"{instance}/slack/enforcement", query_data={"keys[]": "channel"})
    gl.http_put(f"{instance}/slack/enforcement", post_data={"keys": ["channel"]})
    enforced = gl.http_get(f"{instance}/slack/enforcement", query_data={"keys[]": "channel"})
    gl.http_delete(f"{instance}/slack/enforcement")
    pushed = gl.http_post(f"{instance}/slack/push", post_data={"keys": ["channel"]})
    gl.http_delete(f"{instance}/slack")
    disabled = gl.http_get(f"{instance}/slack")
    result = {
        "listed": listed,
        "preview": preview["enforced"],
        "enforced": enforced["enforced"]["keys"],
        "pushed": pushed,
        "disabled": {"active": disabled["active"], "inherited": disabled["inherited"]},
        "listed_after": [each["slug"] for each in gl.http_get(instance)],
    }
elif step == "services":
    gl.http_put(
        f"/projects/{project_path}/services/slack",
        post_data={"webhook": "https://hooks.slack.com/services/T4/B4/OLD", "channel": "#old-name"},
    )
    listed = [each["slug"] for each in gl.http_get(f"/projects/{project_path}/services")]
    gl.http_delete(f"/projects/{project_path}/services/slack")
    after = gl.http_get(f"/projects/{project_path}/services/slack")
    result = {"listed": listed, "active": after["active"]}
else:
    raise SystemExit(f"unknown step {step}")

print(json.dumps(result))
