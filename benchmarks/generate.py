"""A deterministic synthetic repository of N services, the benchmark's corpus.

Per service `svc-NNNNN` (in `services/svc-NNNNN/k8s.yaml`, one file, six documents): a
Deployment with varied hardening, a Service, a ServiceAccount, a Role, a RoleBinding and a
NetworkPolicy admitting the gateway. Every 25 services share a namespace, declared in
`namespaces/<ns>.yaml` with its default-deny NetworkPolicy (the first file also declares the
gateway's namespace, `astra-control`). Every 10th service has a
`Dockerfile`, every 50th a Terraform file `infra/svc-NNNNN/main.tf`.

The same N gives the same bytes on every machine and every run: each service's variations come
from `random.Random` seeded with its own name, so service 7 is identical whether N is 100 or
10,000. For N = 1,000: 1,160 files (1,000 + 40 namespaces + 100 Dockerfiles + 20 Terraform).

    python benchmarks/generate.py 1000 /tmp/corpus-1000
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

SERVICES_PER_NAMESPACE = 25
DOCKERFILE_EVERY = 10
TERRAFORM_EVERY = 50
OBJECTS_PER_SERVICE = 6  # Deployment, Service, ServiceAccount, Role, RoleBinding, NetworkPolicy
OBJECTS_PER_NAMESPACE = 2  # Namespace, default-deny NetworkPolicy
GATEWAY_NAMESPACE = "astra-control"  # declared once, in the first namespace file
DIGEST = "sha256:" + "4f" * 32


@dataclass(frozen=True)
class CorpusCounts:
    """What `generate(n, ...)` writes: files by kind and the Kubernetes objects in them."""

    services: int
    namespaces: int
    dockerfiles: int
    terraform_files: int

    @property
    def files(self) -> int:
        return self.services + self.namespaces + self.dockerfiles + self.terraform_files

    @property
    def kubernetes_objects(self) -> int:
        gateway = 1 if self.namespaces else 0
        return OBJECTS_PER_SERVICE * self.services + OBJECTS_PER_NAMESPACE * self.namespaces + gateway


def counts(n: int) -> CorpusCounts:
    """The files and objects a corpus of `n` services holds, without writing it."""
    return CorpusCounts(
        services=n,
        namespaces=-(-n // SERVICES_PER_NAMESPACE),
        dockerfiles=len(range(0, n, DOCKERFILE_EVERY)),
        terraform_files=len(range(0, n, TERRAFORM_EVERY)),
    )


def service_name(i: int) -> str:
    return f"svc-{i:05d}"


def namespace_name(i: int) -> str:
    return f"team-{i // SERVICES_PER_NAMESPACE:04d}"


def _gateway_namespace() -> str:
    return f"""apiVersion: v1
kind: Namespace
metadata:
  name: {GATEWAY_NAMESPACE}
  labels:
    name: {GATEWAY_NAMESPACE}
    pod-security.kubernetes.io/enforce: restricted
---
"""


def _namespace(index: int) -> str:
    name = f"team-{index:04d}"
    enforce = ["restricted", "baseline", "privileged"][index % 3]
    gateway = _gateway_namespace() if index == 0 else ""
    return gateway + f"""apiVersion: v1
kind: Namespace
metadata:
  name: {name}
  labels:
    name: {name}
    pod-security.kubernetes.io/enforce: {enforce}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: {name}
spec:
  podSelector: {{}}
  policyTypes: ["Ingress", "Egress"]
  ingress: []
  egress: []
"""


def _container_security(rng: random.Random) -> str:
    lines = []
    if rng.random() < 0.8:
        lines.append(f"allowPrivilegeEscalation: {'false' if rng.random() < 0.9 else 'true'}")
    if rng.random() < 0.7:
        lines.append("readOnlyRootFilesystem: true")
    if rng.random() < 0.75:
        lines.append('capabilities: { drop: ["ALL"] }')
    elif rng.random() < 0.3:
        lines.append('capabilities: { add: ["NET_ADMIN"] }')
    if rng.random() < 0.03:
        lines.append("privileged: true")
    if not lines:
        return ""
    return "          securityContext:\n" + "".join(f"            {line}\n" for line in lines)


def _deployment(i: int, rng: random.Random) -> str:
    name, ns = service_name(i), namespace_name(i)
    port = 8000 + i % 1000
    image = f"ghcr.io/org/{name}:1.{i % 7}.{i % 13}"
    if rng.random() < 0.5:
        image += "@" + DIGEST
    elif rng.random() < 0.1:
        image = f"docker.io/library/{name}:latest"
    pod_security = []
    if rng.random() < 0.85:
        pod_security.append("runAsNonRoot: true")
    if rng.random() < 0.6:
        pod_security.append("seccompProfile: { type: RuntimeDefault }")
    pod_sc = ("      securityContext:\n" + "".join(f"        {line}\n" for line in pod_security)) if pod_security else ""
    probes = ""
    if rng.random() < 0.8:
        probes += f"          readinessProbe:\n            httpGet: {{ path: /ready, port: {port} }}\n            periodSeconds: 5\n"
    if rng.random() < 0.7:
        probes += f"          livenessProbe:\n            httpGet: {{ path: /health, port: {port} }}\n            periodSeconds: 10\n"
    volumes = "      volumes:\n        - name: tmp\n          emptyDir: { medium: Memory }\n"
    mounts = "          volumeMounts:\n            - name: tmp\n              mountPath: /tmp\n"
    if rng.random() < 0.02:
        volumes += "        - name: host\n          hostPath: { path: /var/run }\n"
    host_network = "      hostNetwork: true\n" if rng.random() < 0.02 else ""
    automount = "      automountServiceAccountToken: false\n" if rng.random() < 0.5 else ""
    history = f"  revisionHistoryLimit: {rng.choice([3, 5, 10])}\n" if rng.random() < 0.7 else ""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {ns}
  labels: {{ app: {name}, tier: backend }}
spec:
  replicas: {rng.choice([1, 2, 3])}
{history}  selector:
    matchLabels: {{ app: {name} }}
  template:
    metadata:
      labels: {{ app: {name}, tier: backend }}
    spec:
      serviceAccountName: {name}
{automount}{host_network}{pod_sc}      containers:
        - name: app
          image: {image}
          imagePullPolicy: IfNotPresent
          ports:
            - containerPort: {port}
          env:
            - name: SERVICE_NAME
              value: {name}
            - name: DATABASE_URL
              valueFrom: {{ secretKeyRef: {{ name: {name}-secrets, key: database-url }} }}
          resources:
            requests: {{ cpu: "100m", memory: "128Mi" }}
            limits:   {{ cpu: "500m", memory: "256Mi" }}
{_container_security(rng)}{probes}{mounts}{volumes}"""


def _service(i: int) -> str:
    name, ns = service_name(i), namespace_name(i)
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {ns}
spec:
  selector: {{ app: {name} }}
  ports:
    - name: http
      port: 80
      targetPort: {8000 + i % 1000}
"""


def _rbac(i: int, rng: random.Random) -> str:
    name, ns = service_name(i), namespace_name(i)
    resources, verbs = '["configmaps"]', '["get", "list", "watch"]'
    roll = rng.random()
    if roll < 0.05:
        resources, verbs = '["secrets"]', '["get", "list", "watch"]'
    elif roll < 0.08:
        resources, verbs = '["*"]', '["*"]'
    elif roll < 0.15:
        verbs = '["get", "list", "watch", "update"]'
    return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {ns}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {name}-reader
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: {resources}
    verbs: {verbs}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {name}-reader
  namespace: {ns}
subjects:
  - kind: ServiceAccount
    name: {name}
    namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {name}-reader
"""


def _network_policy(i: int, rng: random.Random) -> str:
    name, ns = service_name(i), namespace_name(i)
    source = "astra-control" if rng.random() < 0.9 else "astra-public"
    return f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {name}-from-gateway
  namespace: {ns}
spec:
  podSelector:
    matchLabels: {{ app: {name} }}
  policyTypes: ["Ingress"]
  ingress:
    - from:
        - namespaceSelector:
            matchLabels: {{ name: {source} }}
      ports:
        - protocol: TCP
          port: {8000 + i % 1000}
"""


def service_manifest(i: int) -> str:
    """The six objects of service `i`, one YAML stream."""
    rng = random.Random(service_name(i))
    docs = [_deployment(i, rng), _service(i), _rbac(i, rng), _network_policy(i, rng)]
    return f"# {service_name(i)}: generated by benchmarks/generate.py\n" + "---\n".join(docs)


def dockerfile(i: int) -> str:
    rng = random.Random(service_name(i) + "/Dockerfile")
    base = "python:3.12-slim" + (f"@{DIGEST}" if rng.random() < 0.5 else "")
    user = "USER 10001:10001\n" if rng.random() < 0.8 else ""
    return f"""FROM {base}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tini && \\
    rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app/ app/
RUN useradd -u 10001 -m {service_name(i).replace('-', '')}
{user}EXPOSE {8000 + i % 1000}
CMD ["/usr/bin/tini", "--", "python", "-m", "app"]
"""


def terraform(i: int) -> str:
    name = service_name(i)
    return f"""variable "environment" {{
  type    = string
  default = "production"
}}

resource "aws_s3_bucket" "{name.replace('-', '_')}_artifacts" {{
  bucket = "{name}-artifacts"
  tags = {{
    service     = "{name}"
    environment = var.environment
  }}
}}

resource "aws_sqs_queue" "{name.replace('-', '_')}_jobs" {{
  name                      = "{name}-jobs"
  message_retention_seconds = {86400 * (1 + i % 4)}
  sqs_managed_sse_enabled   = true
}}

resource "aws_iam_role" "{name.replace('-', '_')}" {{
  name = "{name}"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity", Principal = {{ Federated = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com" }} }}]
  }})
}}

output "queue_url" {{
  value = aws_sqs_queue.{name.replace('-', '_')}_jobs.url
}}
"""


def files(n: int) -> dict[str, str]:
    """Every file of the corpus of `n` services, by path relative to its root."""
    out: dict[str, str] = {}
    for index in range(counts(n).namespaces):
        out[f"namespaces/team-{index:04d}.yaml"] = _namespace(index)
    for i in range(n):
        out[f"services/{service_name(i)}/k8s.yaml"] = service_manifest(i)
        if i % DOCKERFILE_EVERY == 0:
            out[f"services/{service_name(i)}/Dockerfile"] = dockerfile(i)
        if i % TERRAFORM_EVERY == 0:
            out[f"infra/{service_name(i)}/main.tf"] = terraform(i)
    return out


def generate(n: int, root: Path) -> CorpusCounts:
    """Write the corpus of `n` services under `root` (which must not hold another corpus)."""
    for rel, text in files(n).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return counts(n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("services", type=int)
    parser.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    if args.root.exists() and any(args.root.iterdir()):
        print(f"{args.root} is not empty", file=sys.stderr)
        return 2
    made = generate(args.services, args.root)
    print(f"{made.files} files, {made.kubernetes_objects} Kubernetes objects in {args.root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
