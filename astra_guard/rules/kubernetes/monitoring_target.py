"""Monitoring objects in the inputs point at something: selectors, alerts, endpoints, dashboards.

Only what the inputs show is judged. A ServiceMonitor or PodMonitor is judged when the inputs
hold Services (or pod templates) in the namespaces it watches; a PrometheusRule must hold at
least one alerting rule; an `OTEL_EXPORTER_OTLP_*ENDPOINT` variable must not be empty; a Grafana
dashboard ConfigMap (label `grafana_dashboard`) must hold valid JSON. Inputs without any of
these produce no finding: whether dashboards and alerts exist elsewhere is evidence to attest.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from astra_guard.engine.python_rules import RuleContext
from astra_guard.findings import Severity, Violation
from astra_guard.model import Resource
from astra_guard.rules.kubernetes._selectors import Workload, matches, namespace_of, workloads_in
from astra_guard.rules.meta import RuleMeta

MONITORING_GROUP = "monitoring.coreos.com"
OTEL_ENDPOINTS = {
    "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
}
DASHBOARD_LABEL = "grafana_dashboard"

META = RuleMeta(
    id="k8s-monitoring-target",
    title="Monitoring objects select real targets and carry alerts",
    severity=Severity.LOW,
    checklist_item=7,
    rationale=(
        "A ServiceMonitor whose selector matches no Service, a PodMonitor that matches no pod, a "
        "PrometheusRule with only recording rules, an empty OTLP endpoint or a dashboard ConfigMap "
        "that is not JSON all look like monitoring in the repository while nothing is scraped, "
        "alerted on, exported or shown."
    ),
    remediation="Make the monitor's selector (and namespaceSelector) match the labels of the Service or pod template and name an existing port, give PrometheusRules alert rules, set OTEL_EXPORTER_OTLP_ENDPOINT to the collector's URL, and keep dashboard ConfigMaps valid JSON.",
    family="kubernetes",
    engine="python",
    source="astra_guard/rules/kubernetes/monitoring_target.py",
    references=(
        "https://prometheus-operator.dev/docs/developer/getting-started/",
        "https://opentelemetry.io/docs/specs/otel/protocol/exporter/",
        "https://github.com/grafana/helm-charts/blob/main/charts/grafana/README.md#sidecar-for-dashboards",
    ),
)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _spec(resource: Resource) -> dict[str, Any]:
    return _dict(resource.data.get("spec"))


def _is_monitoring(resource: Resource, kind: str) -> bool:
    return resource.kind == kind and (resource.api_version or "").startswith(MONITORING_GROUP + "/")


def _watched(resource: Resource, known: Iterable[str]) -> list[str]:
    """The namespaces a monitor watches, among those the inputs know."""
    selector = _dict(_spec(resource).get("namespaceSelector"))
    if selector.get("any") is True:
        return sorted(set(known))
    names = selector.get("matchNames")
    if isinstance(names, list) and names:
        return [str(n) for n in names]
    return [namespace_of(resource)]


def _labels(resource: Resource) -> dict[str, Any]:
    return _dict(_dict(resource.data.get("metadata")).get("labels"))


def _service_monitor(monitor: Resource, services: dict[str, list[Resource]]) -> Iterator[Violation]:
    candidates = [s for ns in _watched(monitor, services) for s in services.get(ns, ())]
    if not candidates:
        return
    selector = _spec(monitor).get("selector")
    matched = [s for s in candidates if matches(selector, _labels(s))]
    label = f"ServiceMonitor '{monitor.name}'"
    if not matched:
        yield Violation(monitor, ("spec", "selector"), (
            f"{label} matches none of the {len(candidates)} Service(s) in the namespaces it watches: nothing is "
            "scraped; make spec.selector match the Service's labels"))
        return
    names = {str(p.get("name")) for s in matched for p in _spec(s).get("ports") or () if isinstance(p, dict) and p.get("name")}
    for i, endpoint in enumerate(_spec(monitor).get("endpoints") or ()):
        port = _dict(endpoint).get("port")
        if isinstance(port, str) and port not in names:
            yield Violation(monitor, ("spec", "endpoints", i, "port"), (
                f"{label} scrapes port '{port}', which no selected Service names (named ports: "
                f"{', '.join(sorted(names)) or 'none'}): name the Service port or fix endpoints[{i}].port"))


def _pod_monitor(monitor: Resource, pods: dict[str, list[Workload]]) -> Iterator[Violation]:
    candidates = [w for ns in _watched(monitor, pods) for w in pods.get(ns, ())]
    if not candidates:
        return
    selector = _spec(monitor).get("selector")
    matched = [w for w in candidates if matches(selector, w.labels)]
    label = f"PodMonitor '{monitor.name}'"
    if not matched:
        yield Violation(monitor, ("spec", "selector"), (
            f"{label} matches none of the {len(candidates)} pod template(s) in the namespaces it watches: "
            "nothing is scraped; make spec.selector match the pod template's labels"))
        return
    names = {p.name for w in matched for p in w.ports() if p.name}
    for i, endpoint in enumerate(_spec(monitor).get("podMetricsEndpoints") or ()):
        port = _dict(endpoint).get("port")
        if isinstance(port, str) and port not in names:
            yield Violation(monitor, ("spec", "podMetricsEndpoints", i, "port"), (
                f"{label} scrapes port '{port}', which no selected container names (named ports: "
                f"{', '.join(sorted(names)) or 'none'}): name the container port or fix podMetricsEndpoints[{i}].port"))


def _prometheus_rule(rule: Resource) -> Iterator[Violation]:
    groups = _spec(rule).get("groups")
    alerts = [r for g in groups or () for r in _dict(g).get("rules") or () if _dict(r).get("alert")]
    if not alerts:
        yield Violation(rule, ("spec", "groups"), (
            f"PrometheusRule '{rule.name}' has no alerting rule (only recording rules, or none): nothing "
            "alerts; add rules with alert, expr and for"))


def _otel(workload: Workload) -> Iterator[Violation]:
    for container in workload.containers():
        for k, entry in enumerate(container.data.get("env") or ()):
            entry = _dict(entry)
            if entry.get("name") not in OTEL_ENDPOINTS or entry.get("valueFrom") is not None:
                continue
            if str(entry.get("value") or "").strip() == "":
                yield Violation(workload.resource, container.path + ("env", k, "value"), (
                    f"container '{container.name}' of {workload.label} sets {entry['name']} to an empty value: "
                    "telemetry goes nowhere; set it to the collector's OTLP URL (e.g. http://otel-collector:4318)"))


def _dashboard(config_map: Resource) -> Iterator[Violation]:
    data = config_map.data.get("data")
    if not isinstance(data, dict) or not data:
        yield Violation(config_map, ("data",), (
            f"dashboard ConfigMap '{config_map.name}' (label {DASHBOARD_LABEL}) holds no dashboard: add the "
            "dashboard JSON under data"))
        return
    for key, value in data.items():
        try:
            json.loads(str(value))
        except json.JSONDecodeError as exc:
            yield Violation(config_map, ("data", key), (
                f"dashboard ConfigMap '{config_map.name}' key '{key}' is not valid JSON ({exc.msg}, line "
                f"{exc.lineno}): Grafana cannot load it; export the dashboard JSON again"))


def check(context: RuleContext) -> Iterator[Violation]:
    services: dict[str, list[Resource]] = {}
    for service in context.of_kind("Service"):
        services.setdefault(namespace_of(service), []).append(service)
    found = workloads_in(context)
    pods: dict[str, list[Workload]] = {}
    for workload in found:
        pods.setdefault(workload.namespace, []).append(workload)
        yield from _otel(workload)
    for resource in context.of_kind("ServiceMonitor", "PodMonitor", "PrometheusRule", "ConfigMap"):
        if _is_monitoring(resource, "ServiceMonitor"):
            yield from _service_monitor(resource, services)
        elif _is_monitoring(resource, "PodMonitor"):
            yield from _pod_monitor(resource, pods)
        elif _is_monitoring(resource, "PrometheusRule"):
            yield from _prometheus_rule(resource)
        elif resource.kind == "ConfigMap" and DASHBOARD_LABEL in _labels(resource):
            yield from _dashboard(resource)
