"""python-gitlab, unmodified, making the calls of its own unit tests for integrations
(tests/unit/objects/test_services.py) against a live Cascade instead of mocked responses.

Prints what the calls returned as JSON; the assertions live in python-gitlab-shapes.test.ts.
Usage: python3 python_gitlab_shapes_client.py TEST (with CASCADE_URL, CASCADE_TOKEN and
PROJECT_ID set). TEST is the unit test's name without "test_" (update_integration takes an
optional ":SLUG"), or "configure", which saves the project's own Pipeline status emails settings
that the unit tests' fixture responds with.
"""
import json
import os
import sys

import gitlab
from gitlab.v4.objects import ProjectIntegration, ProjectService

gl = gitlab.Gitlab(os.environ["CASCADE_URL"], private_token=os.environ["CASCADE_TOKEN"], api_version="4")
# The unit tests' `project` fixture: a lazy project, so no request is made for it.
project = gl.projects.get(int(os.environ["PROJECT_ID"]), lazy=True)
test = sys.argv[1]


def shape(integration):
    return {
        "class": type(integration).__name__,
        "slug": integration.slug,
        "title": integration.title,
        "active": integration.active,
        "push_events": integration.push_events,
        "issues_events": integration.issues_events,
        "pipeline_events": integration.pipeline_events,
        "properties": integration.attributes.get("properties"),
    }


if test == "configure":
    saved = project.integrations.update("pipelines-email", {"recipients": "ops@example.com"})
    result = {"active": saved["active"]}
elif test == "list_active_integrations":
    integrations = project.integrations.list()
    result = {
        "is_list": isinstance(integrations, list),
        "integration_objects": all(isinstance(each, ProjectIntegration) for each in integrations),
        "first": shape(integrations[0]),
        "listed": [shape(each) for each in integrations],
    }
elif test == "list_available_integrations":
    integrations = project.integrations.available()
    result = {
        "is_list": isinstance(integrations, list),
        "strings": all(isinstance(each, str) for each in integrations),
        "available": integrations,
    }
elif test == "get_integration":
    integration = project.integrations.get("pipelines-email")
    result = {"integration_object": isinstance(integration, ProjectIntegration), **shape(integration)}
elif test.startswith("update_integration"):
    # "update_integration:slack" makes the same calls on a type that has issues events.
    slug = test.partition(":")[2] or "pipelines-email"
    integration = project.integrations.get(slug)
    before = integration.issues_events
    integration.issues_events = False
    integration.save()
    result = {
        "before": before,
        "after_save": shape(integration),
        "read_again": shape(project.integrations.get(slug)),
    }
elif test == "get_service_returns_service":
    service = project.services.get("pipelines-email")
    result = {"service_object": isinstance(service, ProjectService), **shape(service)}
else:
    sys.exit(f"unknown test {test}")

print(json.dumps(result))
