"""The class's Kubernetes values against the chart they are deployed with (z2jh, hub/z2jh-4.4.0/).

The values ``make hub-values`` writes, merged with the chart's defaults as helm merges them, must
validate against the chart's own schema and pass the refusals of ``tools.hub_check``; the values this
repository shipped before (no authenticator: the chart's ``dummy``) must be refused.
"""

import re

import pytest
import yaml

from tools import ROOT, hub_chart, hub_check, hub_values
from tools.grading.serve import CLASS_SCOPE

CLASS = {
    "IMAGE": "ghcr.io/uni-x/forecasting-failures:2026.11",
    "COURSE_REPO": "https://github.com/uni-x/ff-learner",
    "HUB_URL": "https://hub.uni-x.de",
    "ADMINS": "teach1,teach2",
    "ALLOWED": "uni-x:ff-2026",
}
# What hub/values.yaml held before issue 34: no authenticator, a postStart pull, placeholders.
SHIPPED_BEFORE = {
    "singleuser": {
        "image": {"name": "ghcr.io/your-org/forecasting-failures", "tag": "2026.11"},
        "lifecycleHooks": {"postStart": {"exec": {"command": [
            "gitpuller", "https://github.com/your-org/forecasting-failures-learner", "main",
            "forecasting-failures",
        ]}}},
        "defaultUrl": "/lab/tree/forecasting-failures",
    },
    "hub": {"config": {"JupyterHub": {"admin_access": True}}},
}


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(hub_values.render(CLASS))


def test_the_written_values_validate_against_the_charts_schema(values):
    full = hub_chart.merged(values)
    assert hub_chart.schema_errors(values) == []
    print(f"chart {hub_chart.CHART_VERSION}: the merged values validate ({len(full)} top-level keys)")
    jupyterhub = dict(full["hub"]["config"]["JupyterHub"])
    assert list(jupyterhub.pop("custom_scopes")) == [CLASS_SCOPE]  # the checker's class view
    assert jupyterhub == {"authenticator_class": "github"}  # admin_access gone
    assert full["singleuser"]["image"] == {"name": "ghcr.io/uni-x/forecasting-failures", "tag": "2026.11",
                                           "pullPolicy": None, "pullSecrets": []}
    assert hub_check.problems(values) == []


def test_the_schema_catches_a_wrong_value(values):
    values["singleuser"]["cpu"]["guarantee"] = "half"
    values["singleuser"]["memroy"] = {"limit": "3G"}
    errors = hub_chart.schema_errors(values)
    assert any(e.startswith("singleuser.cpu.guarantee: 'half' is not of type") for e in errors), errors
    assert any("'memroy' was unexpected" in e for e in errors), errors


def test_helm_merges_maps_replaces_lists_and_drops_nulls():
    defaults = {"a": {"x": 1, "y": 2}, "b": [1, 2], "c": 3}
    result = hub_chart.merge(defaults, {"a": {"y": None, "z": 4}, "b": [9]})
    assert result == {"a": {"x": 1, "z": 4}, "b": [9], "c": 3}
    assert defaults == {"a": {"x": 1, "y": 2}, "b": [1, 2], "c": 3}


def test_the_values_shipped_before_are_refused():
    found = hub_check.problems(SHIPPED_BEFORE)
    expected = ("hub.config.JupyterHub.authenticator_class is 'dummy'", "admin_users names no one",
                "names who may log in", "postStart runs gitpuller",
                "singleuser.image.name is 'ghcr.io/your-org")
    for setting in expected:
        assert any(setting in line for line in found), (setting, found)


@pytest.mark.parametrize(
    "change, setting",
    [
        ({"JupyterHub": {"authenticator_class": "dummy"}}, "authenticator_class is 'dummy'"),
        ({"JupyterHub": {"authenticator_class": "tmp"}}, "authenticator_class is 'tmp'"),
        ({"Authenticator": {"allow_all": True}}, "hub.config.Authenticator.allow_all is true"),
        ({"GitHubOAuthenticator": {"allow_all": True}}, "hub.config.GitHubOAuthenticator.allow_all is true"),
        ({"Authenticator": {"admin_users": []}}, "admin_users names no one"),
        ({"GitHubOAuthenticator": {"allowed_organizations": []}}, "names who may log in"),
    ],
)
def test_an_open_or_unnamed_class_is_refused(values, change, setting):
    refused = hub_chart.merge(values, {"hub": {"config": change}})
    assert any(setting in line for line in hub_check.problems(refused))


def test_lti_names_the_class_by_its_tool_registration(values):
    lti = {"JupyterHub": {"authenticator_class": "lti13"}, "GitHubOAuthenticator": None,
           "LTI13Authenticator": {"issuer": "https://canvas.uni-x.de", "client_id": ["10000000001"]}}
    assert hub_check.problems(hub_chart.merge(values, {"hub": {"config": lti}})) == []


def test_make_hub_values_refuses_placeholders_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "values.yaml"
    names = ["--image", "ghcr.io/your-org/forecasting-failures:2026.11", "--course-repo",
             "https://github.com/you/ff-learner", "--hub-url", CLASS["HUB_URL"], "--admins", "teach"]
    assert hub_values.main([*names, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    print(err)
    assert "IMAGE='ghcr.io/your-org/forecasting-failures:2026.11' is a placeholder" in err
    assert "COURSE_REPO='https://github.com/you/ff-learner' is a placeholder" in err
    assert "ALLOWED is empty" in err and not out.exists()
    assert hub_values.main([*names[:4], "--course-repo", CLASS["COURSE_REPO"], "--hub-url", CLASS["HUB_URL"],
                            "--admins", "teach", "--allowed", "uni-x", "--out", str(out)]) == 1
    assert "IMAGE='ghcr.io/your-org" in capsys.readouterr().err


def test_make_hub_values_writes_checked_values_and_pins_the_chart(tmp_path, capsys):
    out = tmp_path / "values.yaml"
    args = [f"--{k.lower().replace('_', '-')}={v}" for k, v in CLASS.items()]
    assert hub_values.main([*args, "--chart", "4.4.0", "--out", str(out)]) == 0
    assert "--version 4.4.0" in capsys.readouterr().out
    assert hub_check.main([str(out)]) == 0
    with pytest.raises(SystemExit, match="CHART=9.9.9: no schema of that chart version"):
        hub_values.main([*args, "--chart", "9.9.9", "--out", str(out)])


def test_every_helm_command_the_guides_give_pins_the_chart_version():
    for path in (ROOT / "docs" / "instructors.md", ROOT / "hub" / "values.yaml"):
        commands = re.findall(r"helm upgrade[^\n]*", path.read_text())
        pinned = [c for c in commands if f"--version {hub_chart.CHART_VERSION}" in c]
        assert commands and pinned == commands, (path, commands)


def _checker_manifest() -> dict:
    docs = list(yaml.safe_load_all((ROOT / "hub" / "checker-k8s.yaml").read_text()))
    return {doc["kind"]: doc for doc in docs}


def test_the_checker_manifest_names_the_service_the_values_register(values):
    """hub/checker-k8s.yaml, the values and the one-machine config: one service, one port, one prefix."""
    from urllib.parse import urlparse

    found = _checker_manifest()
    assert set(found) == {"Deployment", "Service", "PersistentVolumeClaim", "NetworkPolicy"}
    service = values["hub"]["services"]["checker"]
    url = urlparse(service["url"])
    assert (url.hostname, url.port) == (found["Service"]["metadata"]["name"], 10101)
    assert [p["port"] for p in found["Service"]["spec"]["ports"]] == [url.port]
    pod = found["Deployment"]["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    prefix = "/services/checker/"
    assert env["JUPYTERHUB_SERVICE_PREFIX"] == prefix and env["JUPYTERHUB_SERVICE_NAME"] == "checker"
    assert urlparse(env["JUPYTERHUB_SERVICE_URL"]).port == url.port
    assert [p["containerPort"] for p in container["ports"]] == [url.port]
    assert env["JUPYTERHUB_OAUTH_CALLBACK_URL"] == prefix + "oauth_callback"
    token = {"secretKeyRef": {"name": "hub", "key": "hub.services.checker.apiToken"}}
    assert env["JUPYTERHUB_API_TOKEN"] == token
    assert yaml.safe_load(env["JUPYTERHUB_OAUTH_ACCESS_SCOPES"]) == ["access:services!service=checker"]
    assert container["command"][:5] == ["python", "-m", "tools.grading.serve", "--hub", "--warm"]
    # the instructor's image, not the learners'; its pods reach the hub's API, learners reach its port
    assert container["image"].split(":")[0] != values["singleuser"]["image"]["name"]
    labels = pod["metadata"]["labels"]
    assert labels["hub.jupyter.org/network-access-hub"] == "true"
    (egress,) = values["singleuser"]["networkPolicy"]["egress"]
    assert egress["to"][0]["podSelector"]["matchLabels"].items() <= labels.items()
    assert [p["port"] for p in egress["ports"]] == [url.port]
    checker_url = urlparse(values["singleuser"]["extraEnv"]["COURSE_CHECKER_URL"])
    assert (checker_url.hostname, checker_url.port, checker_url.path) == (url.hostname, url.port, prefix)
    assert values["hub"]["config"]["JupyterHub"]["custom_scopes"] == {
        CLASS_SCOPE: {"description": "Read the course checker's live class view (every learner's checks)"}}
    assert service["oauth_client_allowed_scopes"] == [CLASS_SCOPE]


#: The Kubernetes versions the checker's manifest must be valid for: z2jh 4.4.0's oldest, and the newest.
KUBE_VERSIONS = ("1.28.0", "1.33.0")


@pytest.mark.parametrize("kube", KUBE_VERSIONS)
def test_the_checker_manifest_is_valid_kubernetes(kube):
    """Each resource of hub/checker-k8s.yaml passes Kubernetes's own OpenAPI schema, strictly (an
    unknown or misspelt field fails, as ``kubectl apply --validate=strict`` would), with the schemas
    that kubernetes-validate ships (no cluster, no network); a planted typo is caught."""
    kv = pytest.importorskip("kubernetes_validate")
    for doc in _checker_manifest().values():
        kv.validate(doc, kube, strict=True)
    broken = _checker_manifest()["Deployment"]
    broken["spec"]["template"]["spec"]["containers"][0]["imagePulPolicy"] = "Always"
    with pytest.raises(kv.ValidationError):
        kv.validate(broken, kube, strict=True)


def test_both_hubs_give_the_checker_the_same_roles(values, monkeypatch):
    """The roles and token scopes on Kubernetes are the one-machine hub's (hub/jupyterhub_config.py)."""
    from traitlets.config import Config

    monkeypatch.setenv("HUB_ADMINS", "teach1,teach2")
    c = Config()
    source = (ROOT / "hub" / "jupyterhub_config.py").read_text()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: c})
    local = {role.pop("name"): role for role in c.JupyterHub.load_roles}
    assert local == values["hub"]["loadRoles"]
    assert c.JupyterHub.custom_scopes == values["hub"]["config"]["JupyterHub"]["custom_scopes"]
    tokens = values["hub"]["config"]["Spawner"]["server_token_scopes"]
    assert c.Spawner.server_token_scopes == tokens
    # JupyterHub's default for the server's token (the `server` role), plus the checker
    from jupyterhub.roles import get_default_roles

    server = next(r for r in get_default_roles() if r["name"] == "server")["scopes"]
    assert tokens == [*server, "access:services!service=checker"]
    (checker,) = [s for s in c.JupyterHub.services if s["name"] == "checker"]
    assert checker["command"][1:5] == ["-m", "tools.grading.serve", "--hub", "--warm"]
    for key in ("oauth_client_allowed_scopes", "oauth_no_confirm"):
        assert checker[key] == values["hub"]["services"]["checker"][key]
