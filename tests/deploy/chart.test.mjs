// The Helm chart, offline: helm lint --strict, helm template over every
// ci/*.yaml value set, every rendered object against the Kubernetes API
// types, and what a platform team relies on: no secret outside the Secret,
// restricted Pod Security, probes, the config checksum, whole-directory
// mounts, and values the chart must refuse.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { isMap, parse, parseDocument } from "yaml";
import {
  apiProblems,
  chartDir,
  ciValueFiles,
  find,
  helm,
  only,
  renderChart,
  renderError,
  renderNotes,
  sha256,
} from "./lib.mjs";

const ci = (name) => path.join(chartDir, "ci", name);
const DEFAULT = ci("default-values.yaml");
const TLS_CALLERS = ci("tls-callers-values.yaml");
const CHART_SECRET = ci("chart-secret-values.yaml");
// The secret key ci/chart-secret-values.yaml hands the chart.
const CHART_MADE_SECRET = "chart-made-secret-value-1f3a";

const isGateway = (o) => o.metadata?.annotations?.["helm.sh/hook"] !== "test";
const gatewayPod = (objects) => only(objects, "Deployment").spec.template;
const gatewayContainer = (objects) =>
  gatewayPod(objects).spec.containers.find((c) => c.name === "ucgate");
const configOf = (objects) =>
  only(objects, "ConfigMap").data["config.yaml"];

function valuesFile(values) {
  const dir = mkdtempSync(path.join(tmpdir(), "ucgate-values-"));
  const file = path.join(dir, "values.yaml");
  writeFileSync(file, JSON.stringify(values));
  return file;
}

describe("helm lint --strict", () => {
  test("passes with the chart's defaults", () => {
    const result = helm(["lint", "--strict", chartDir]);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
  for (const file of ciValueFiles()) {
    test(`passes with ci/${path.basename(file)}`, () => {
      const result = helm(["lint", "--strict", "--values", file, chartDir]);
      assert.equal(result.status, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }
});

describe("values.yaml and values.schema.json", () => {
  test("every value in values.yaml is documented by a comment", () => {
    const document = parseDocument(readFileSync(path.join(chartDir, "values.yaml"), "utf8"));
    // Maps whose entries are data (resource amounts, labels), documented whole.
    const dataMaps = new Set(["resources", "networkPolicy.dns.podLabels"]);
    const undocumented = [];
    const walk = (map, prefix) =>
      map.items.forEach((pair, i) => {
        const key = `${prefix}${pair.key.value}`;
        // A map's first key carries its comment on the map itself.
        const documented = Boolean(
          pair.key.commentBefore || pair.commentBefore || (i === 0 && map.commentBefore),
        );
        if (isMap(pair.value) && pair.value.items.length > 0 && !dataMaps.has(key)) {
          walk(pair.value, `${key}.`);
        } else if (!documented) {
          undocumented.push(key);
        }
      });
    walk(document.contents, "");
    assert.deepEqual(undocumented, []);
  });

  test("the schema refuses unknown keys everywhere but in Kubernetes objects passed through", () => {
    const schema = JSON.parse(readFileSync(path.join(chartDir, "values.schema.json"), "utf8"));
    const passedThrough = new Set([
      "properties.global",
      "definitions.kubernetesObject",
      "properties.extraVolumes.items",
      "properties.extraVolumeMounts.items",
    ]);
    const open = [];
    const walk = (node, where) => {
      if (node === null || typeof node !== "object") return;
      const types = [node.type].flat();
      if (types.includes("object") && !passedThrough.has(where)) {
        const closed = node.additionalProperties === false;
        const typedMap = typeof node.additionalProperties === "object" && !node.properties;
        if (!closed && !typedMap) open.push(where);
      }
      for (const [key, child] of Object.entries(node)) {
        walk(child, where ? `${where}.${key}` : key);
      }
    };
    walk(schema, "");
    assert.deepEqual(open, []);
    assert.equal(schema.additionalProperties, false);
  });
});

describe("every ci value set renders objects the Kubernetes API accepts", () => {
  for (const file of ciValueFiles()) {
    test(`ci/${path.basename(file)}`, async () => {
      const objects = renderChart({ files: [file] });
      assert.ok(objects.length >= 5, `only ${objects.length} objects`);
      for (const object of objects) {
        assert.deepEqual(await apiProblems(object), []);
        assert.equal(object.metadata.namespace, "gateways", object.kind);
      }
      const kinds = objects.map((o) => o.kind);
      for (const kind of ["ConfigMap", "Deployment", "Service", "Pod"]) {
        assert.ok(kinds.includes(kind), `${kind} missing`);
      }
    });
  }

  test("the type check itself catches wrong types, unknown fields and enums", async () => {
    const [deployment] = find(renderChart({ files: [DEFAULT] }), "Deployment");
    const broken = structuredClone(deployment);
    const container = broken.spec.template.spec.containers[0];
    container.securityContext.readOnlyRootFilesytem = true;
    container.ports[0].containerPort = "50051";
    container.imagePullPolicy = "Sometimes";
    broken.spec.template.spec.volumes[0].configMap.nme = "x";
    const problems = (await apiProblems(broken)).join("\n");
    assert.match(problems, /securityContext\.readOnlyRootFilesytem: unknown field/);
    assert.match(problems, /containerPort: must be integer/);
    assert.match(problems, /imagePullPolicy: must be equal to one of the allowed values/);
    assert.match(problems, /configMap\.nme: unknown field/);
    assert.match(
      (await apiProblems({ apiVersion: "v1", kind: "Servce", metadata: {} })).join(),
      /no Kubernetes type v1 Servce/,
    );
  });
});

describe("secrets stay in the Secret", () => {
  const renders = [DEFAULT, TLS_CALLERS, CHART_SECRET].map((file) => ({
    file,
    objects: renderChart({ files: [file] }),
  }));

  test("no env var carries a secret, nor takes one from a Secret", () => {
    for (const { objects } of renders) {
      for (const pod of [gatewayPod(objects), ...find(objects, "Pod")]) {
        const spec = pod.spec;
        for (const container of [...spec.containers, ...(spec.initContainers ?? [])]) {
          assert.equal(container.envFrom, undefined);
          for (const variable of container.env ?? []) {
            assert.equal(variable.valueFrom, undefined, variable.name);
            assert.doesNotMatch(variable.name, /SECRET|TOKEN|KEY|PASSWORD/i);
          }
        }
      }
    }
  });

  test("the chart-made Secret is the only object holding the key", () => {
    const { objects } = renders[2];
    const secret = only(objects, "Secret");
    assert.equal(
      Buffer.from(secret.data.demo, "base64").toString(),
      CHART_MADE_SECRET,
    );
    for (const object of objects.filter((o) => o.kind !== "Secret")) {
      const text = JSON.stringify(object);
      assert.ok(!text.includes(CHART_MADE_SECRET), `${object.kind} holds it`);
      assert.ok(
        !text.includes(Buffer.from(CHART_MADE_SECRET).toString("base64")),
        `${object.kind} holds it in base64`,
      );
    }
    // With an existing Secret the chart makes none.
    assert.deepEqual(find(renders[0].objects, "Secret"), []);
  });

  test("the ConfigMap names key files, never keys", () => {
    for (const { objects } of renders) {
      const config = parse(configOf(objects));
      assert.ok(config.projects.length > 0);
      for (const project of config.projects) {
        assert.equal(project.secret_key, undefined);
        assert.equal(project.secret_key_env, undefined);
        assert.match(project.secret_key_file, /^\/var\/run\/secrets\/uploadcare\/[-._A-Za-z0-9]+$/);
      }
      for (const caller of config.callers ?? []) {
        for (const hash of caller.token_sha256 ?? []) assert.match(hash, /^[0-9a-f]{64}$/);
      }
    }
  });
});

describe("mounts are whole directories, so rotation reaches the pod", () => {
  test("the keys Secret, TLS Secret and ConfigMap are mounted without subPath", () => {
    for (const file of [DEFAULT, TLS_CALLERS, CHART_SECRET]) {
      const objects = renderChart({ files: [file] });
      const pod = gatewayPod(objects);
      const mounts = gatewayContainer(objects).volumeMounts;
      for (const mount of mounts) assert.equal(mount.subPath, undefined, mount.name);
      for (const mount of mounts) assert.equal(mount.subPathExpr, undefined, mount.name);
      const keys = mounts.find((m) => m.name === "uploadcare-keys");
      assert.equal(keys.mountPath, "/var/run/secrets/uploadcare");
      assert.equal(keys.readOnly, true);
      const volume = pod.spec.volumes.find((v) => v.name === "uploadcare-keys");
      assert.equal(volume.secret.items, undefined, "every key of the Secret");
      assert.equal(volume.secret.defaultMode, 0o440);
      const expected = file === CHART_SECRET ? "uploads-gateway-uploadcare" : "uploadcare-keys";
      assert.equal(volume.secret.secretName, expected);
      const config = parse(configOf(objects));
      for (const project of config.projects) {
        assert.ok(project.secret_key_file.startsWith(`${keys.mountPath}/`));
      }
    }
  });

  test("TLS material comes from a cert-manager style Secret (tls.crt, tls.key, ca.crt)", () => {
    const objects = renderChart({ files: [TLS_CALLERS] });
    const config = parse(configOf(objects));
    assert.deepEqual(config.tls, {
      cert_file: "/etc/ucgate/tls/tls.crt",
      key_file: "/etc/ucgate/tls/tls.key",
      client_ca_file: "/etc/ucgate/tls/ca.crt",
    });
    const volume = gatewayPod(objects).spec.volumes.find((v) => v.name === "tls");
    assert.equal(volume.secret.secretName, "ucgate-tls");
    // The test pod trusts the CA and never sees the gateway's key.
    const testPod = only(objects, "Pod");
    const ca = testPod.spec.volumes.find((v) => v.name === "ca");
    assert.deepEqual(ca.secret.items, [{ key: "ca.crt", path: "ca.crt" }]);
    // Without tls.clientAuth the gateway asks for no client certificate.
    const serverOnly = renderChart({
      files: [TLS_CALLERS],
      sets: ["tls.clientAuth=false", "tests.clientCertSecretName="],
    });
    assert.equal(parse(configOf(serverOnly)).tls.client_ca_file, undefined);
  });
});

describe("restricted Pod Security", () => {
  function assertRestricted(podSpec, where) {
    const pod = podSpec.securityContext;
    assert.equal(pod.runAsNonRoot, true, where);
    assert.equal(pod.runAsUser, 65532, where);
    assert.equal(pod.seccompProfile.type, "RuntimeDefault", where);
    assert.equal(podSpec.automountServiceAccountToken, false, where);
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      assert.ok(!podSpec[field], `${where}: ${field}`);
    }
    for (const container of podSpec.containers) {
      const context = container.securityContext;
      assert.equal(context.allowPrivilegeEscalation, false, where);
      assert.equal(context.readOnlyRootFilesystem, true, where);
      assert.deepEqual(context.capabilities, { drop: ["ALL"] }, where);
      assert.ok(!context.privileged, where);
      assert.ok(container.resources?.limits?.memory, `${where}: memory limit`);
      for (const port of container.ports ?? []) assert.equal(port.hostPort, undefined);
    }
    for (const volume of podSpec.volumes ?? []) {
      assert.equal(volume.hostPath, undefined, `${where}: hostPath`);
    }
  }

  test("the gateway and the test pod run as 65532, read-only, no capabilities", () => {
    for (const file of ciValueFiles()) {
      const objects = renderChart({ files: [file] });
      assertRestricted(gatewayPod(objects).spec, `${path.basename(file)} gateway`);
      assertRestricted(only(objects, "Pod").spec, `${path.basename(file)} test`);
    }
  });

  test("/tmp is the only writable path, a size-limited emptyDir", () => {
    const objects = renderChart({ files: [DEFAULT] });
    const pod = gatewayPod(objects);
    const tmp = gatewayContainer(objects).volumeMounts.find((m) => m.mountPath === "/tmp");
    const volume = pod.spec.volumes.find((v) => v.name === tmp.name);
    assert.equal(volume.emptyDir.sizeLimit, "16Mi");
    const writable = gatewayContainer(objects).volumeMounts.filter((m) => !m.readOnly);
    assert.deepEqual(writable.map((m) => m.mountPath), ["/tmp"]);
  });

  test("the ServiceAccount mounts no API token", () => {
    const objects = renderChart({ files: [DEFAULT] });
    const account = only(objects, "ServiceAccount");
    assert.equal(account.automountServiceAccountToken, false);
    assert.equal(gatewayPod(objects).spec.serviceAccountName, account.metadata.name);
  });
});

describe("probes and draining", () => {
  test("gRPC probes call grpc.health.v1 on the gRPC container port", () => {
    const container = gatewayContainer(renderChart({ files: [DEFAULT] }));
    const grpcPort = container.ports.find((p) => p.name === "grpc").containerPort;
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      assert.deepEqual(container[probe].grpc, { port: grpcPort, service: "" }, probe);
      assert.equal(container[probe].httpGet, undefined);
    }
    // Starting may take a minute; readiness drops within 10 s.
    assert.equal(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold, 60);
    assert.equal(container.readinessProbe.periodSeconds * container.readinessProbe.failureThreshold, 10);
  });

  test("probes.mode=http probes /readyz and /healthz on the admin port", () => {
    const container = gatewayContainer(renderChart({ files: [TLS_CALLERS] }));
    assert.deepEqual(container.startupProbe.httpGet, { path: "/readyz", port: "admin" });
    assert.deepEqual(container.readinessProbe.httpGet, { path: "/readyz", port: "admin" });
    assert.deepEqual(container.livenessProbe.httpGet, { path: "/healthz", port: "admin" });
    assert.ok(container.ports.some((p) => p.name === "admin" && p.containerPort === 9090));
  });

  test("the grace period covers the preStop pause and the gateway's drain", () => {
    const objects = renderChart({ files: [DEFAULT] });
    const pod = gatewayPod(objects).spec;
    const container = gatewayContainer(objects);
    assert.deepEqual(container.lifecycle.preStop.exec.command, ["/bin/sleep", "5"]);
    // 5 s pause + no drain delay + 10 s drain (ucgate's, on SIGTERM) + 5 s margin.
    assert.equal(pod.terminationGracePeriodSeconds, 20);
    assert.equal(parse(only(objects, "ConfigMap").data["config.yaml"]).drain_delay_ms, 0);
    const longer = renderChart({
      files: [DEFAULT],
      sets: ["drain.preStopSleepSeconds=8", "drain.delaySeconds=4", "drain.gatewayGraceSeconds=30"],
    });
    assert.equal(gatewayPod(longer).spec.terminationGracePeriodSeconds, 47);
    assert.equal(parse(only(longer, "ConfigMap").data["config.yaml"]).drain_delay_ms, 4000);
    const none = renderChart({ files: [CHART_SECRET] });
    assert.equal(gatewayContainer(none).lifecycle, undefined);
    assert.equal(gatewayPod(none).spec.terminationGracePeriodSeconds, 15);
  });

  test("rollouts keep capacity, spread over zones and nodes", () => {
    const deployment = only(renderChart({ files: [DEFAULT] }), "Deployment");
    assert.deepEqual(deployment.spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 });
    const spread = deployment.spec.template.spec.topologySpreadConstraints;
    assert.deepEqual(spread.map((c) => c.topologyKey), ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]);
    for (const constraint of spread) {
      assert.deepEqual(constraint.labelSelector.matchLabels, deployment.spec.selector.matchLabels);
    }
  });
});

describe("the config checksum rolls pods when the configuration changes", () => {
  test("it is the SHA-256 of the rendered config.yaml", () => {
    const objects = renderChart({ files: [DEFAULT] });
    const annotation = gatewayPod(objects).metadata.annotations["checksum/config"];
    assert.equal(annotation, sha256(configOf(objects).replace(/\n$/, "")));
  });

  test("it changes with the configuration and only with it", () => {
    const checksum = (sets) =>
      gatewayPod(renderChart({ files: [DEFAULT], sets })).metadata.annotations["checksum/config"];
    const base = checksum([]);
    assert.notEqual(checksum(["config.log_level=debug"]), base);
    assert.notEqual(checksum(["config.cache.ttl_seconds=60"]), base);
    assert.notEqual(checksum(["projects[0].publicKey=rotatedpublic"]), base);
    assert.equal(checksum(["replicaCount=5"]), base);
    assert.equal(checksum(["resources.limits.memory=1Gi"]), base);
    assert.equal(checksum(["podAnnotations.team=x"]), base);
  });
});

describe("Service, PDB, HPA, NetworkPolicy, ServiceMonitor", () => {
  test("the Service exposes gRPC (appProtocol grpc) and the admin port", () => {
    const objects = renderChart({ files: [DEFAULT] });
    const service = only(objects, "Service");
    assert.deepEqual(
      service.spec.ports.map((p) => [p.name, p.port, p.targetPort, p.appProtocol]),
      [["grpc", 50051, "grpc", "grpc"], ["admin", 9090, "admin", "http"]],
    );
    const pod = gatewayPod(objects);
    for (const [key, value] of Object.entries(service.spec.selector)) {
      assert.equal(pod.metadata.labels[key], value);
    }
    assert.equal(service.spec.clusterIP, undefined);
    assert.equal(only(renderChart({ files: [TLS_CALLERS] }), "Service").spec.clusterIP, "None");
    const noAdmin = only(renderChart({ files: [CHART_SECRET] }), "Service");
    assert.deepEqual(noAdmin.spec.ports.map((p) => p.name), ["grpc"]);
  });

  test("the test pod is no gateway: selectors of the Service, PDB and policy miss it", () => {
    const objects = renderChart({ files: [DEFAULT] });
    const testPod = only(objects, "Pod");
    assert.equal(testPod.metadata.annotations["helm.sh/hook"], "test");
    const selectors = [
      only(objects, "Service").spec.selector,
      only(objects, "PodDisruptionBudget").spec.selector.matchLabels,
      only(objects, "NetworkPolicy").spec.podSelector.matchLabels,
    ];
    for (const selector of selectors) {
      const matches = Object.entries(selector).every(([k, v]) => testPod.metadata.labels[k] === v);
      assert.equal(matches, false, JSON.stringify(selector));
    }
    assert.deepEqual(testPod.spec.containers[0].command, ["/usr/local/bin/ucctl"]);
    assert.deepEqual(testPod.spec.containers[0].args, [
      "--target", "ucgate.gateways.svc:50051", "--timeout", "10", "health",
    ]);
    const tls = only(renderChart({ files: [TLS_CALLERS] }), "Pod").spec.containers[0].args;
    assert.deepEqual(tls.slice(4), [
      "--ca-file", "/etc/ucctl/ca/ca.crt",
      "--cert-file", "/etc/ucctl/client/tls.crt",
      "--key-file", "/etc/ucctl/client/tls.key",
      "health",
    ]);
  });

  test("the PodDisruptionBudget and the HorizontalPodAutoscaler", () => {
    const objects = renderChart({ files: [DEFAULT] });
    const pdb = only(objects, "PodDisruptionBudget");
    assert.equal(pdb.spec.maxUnavailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, only(objects, "Deployment").spec.selector.matchLabels);
    assert.equal(only(objects, "Deployment").spec.replicas, 2);
    assert.deepEqual(find(objects, "HorizontalPodAutoscaler"), []);

    const scaled = renderChart({ files: [TLS_CALLERS] });
    const hpa = only(scaled, "HorizontalPodAutoscaler");
    assert.equal(only(scaled, "Deployment").spec.replicas, undefined, "the HPA owns replicas");
    assert.deepEqual(hpa.spec.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "ucgate" });
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [3, 12]);
    assert.deepEqual(
      hpa.spec.metrics.map((m) => [m.resource.name, m.resource.target.averageUtilization]),
      [["cpu", 70], ["memory", 80]],
    );
    assert.deepEqual(find(renderChart({ files: [CHART_SECRET] }), "PodDisruptionBudget"), []);
  });

  test("the NetworkPolicy admits labelled callers and reaches only DNS and the upstream", () => {
    const policy = only(renderChart({ files: [DEFAULT] }), "NetworkPolicy");
    assert.deepEqual(policy.spec.policyTypes, ["Ingress", "Egress"]);
    const [grpc, admin] = policy.spec.ingress;
    assert.deepEqual(grpc.ports, [{ port: "grpc", protocol: "TCP" }]);
    assert.ok(grpc.from.length > 0);
    for (const peer of grpc.from) {
      // Every peer names labels: no "from anywhere".
      assert.ok(Object.keys(peer.podSelector?.matchLabels ?? {}).length > 0, JSON.stringify(peer));
      assert.equal(peer.ipBlock, undefined);
    }
    assert.deepEqual(admin.ports, [{ port: "admin", protocol: "TCP" }]);
    const [dns, upstream] = policy.spec.egress;
    assert.deepEqual(dns.ports.map((p) => `${p.port}/${p.protocol}`), ["53/UDP", "53/TCP"]);
    assert.deepEqual(dns.to[0].podSelector.matchLabels, { "k8s-app": "kube-dns" });
    assert.deepEqual(upstream.ports, [{ port: 443, protocol: "TCP" }]);
    assert.deepEqual(upstream.to.map((p) => p.ipBlock.cidr), ["0.0.0.0/0", "::/0"]);
    assert.ok(upstream.to[0].ipBlock.except.includes("10.0.0.0/8"));
    assert.equal(policy.spec.egress.length, 2);
  });

  test("the ServiceMonitor scrapes /metrics on the admin port", () => {
    const objects = renderChart({ files: [TLS_CALLERS] });
    const monitor = only(objects, "ServiceMonitor");
    assert.deepEqual(monitor.spec.endpoints[0].port, "admin");
    assert.equal(monitor.spec.endpoints[0].path, "/metrics");
    assert.equal(monitor.metadata.labels.release, "kube-prometheus-stack");
    assert.deepEqual(monitor.spec.selector.matchLabels, only(objects, "Service").spec.selector);
    assert.deepEqual(find(renderChart({ files: [DEFAULT] }), "ServiceMonitor"), []);
  });
});

describe("NOTES.txt", () => {
  test("tells how to test, call and rotate, and warns when anyone may call", () => {
    const notes = renderNotes([DEFAULT]);
    assert.match(notes, /gRPC: {2}ucgate\.gateways\.svc:50051 \(plaintext\)/);
    assert.match(notes, /helm test ucgate --namespace gateways/);
    assert.match(notes, /--labels=ucgate\.uploadcare\.com\/client=true --image=localhost\/ucgate:0\.1\.0/);
    assert.match(notes, /ucctl --target ucgate\.gateways\.svc:50051 files list/);
    assert.match(notes, /Rotate a key: update the Secret uploadcare-keys/);
    assert.match(notes, /WARNING: auth\.allowUnauthenticated is true/);
    const tls = renderNotes([TLS_CALLERS]);
    assert.match(tls, /\(TLS, client certificates required\)/);
    assert.match(tls, /--ca-file CA_FILE --cert-file CERT_FILE --key-file KEY_FILE/);
    assert.match(tls, /Projects: main, legacy/);
    assert.doesNotMatch(tls, /WARNING/);
  });
});

describe("values the chart refuses", () => {
  const refused = [
    ["a wrong type", { sets: ["replicaCount=two"] }, /replicaCount: Invalid type. Expected: integer, given: string/],
    ["an unknown key", { sets: ["replicas=3"] }, /Additional property replicas is not allowed/],
    ["a typo in ucgate's config", { sets: ["config.cache.max_byte=1"] }, /config.cache: Additional property max_byte is not allowed/],
    ["a typo deep inside", { sets: ["probes.readiness.periodSecond=1"] }, /probes.readiness: Additional property periodSecond/],
    ["an unknown project field", { sets: ["projects[0].secret=abc"] }, /Additional property secret is not allowed/],
    ["a token instead of its SHA-256", { values: { auth: { callers: [{ name: "a", token_sha256: ["plain-token"], projects: ["main"], methods: ["*"] }] } } }, /token_sha256.0: Does not match pattern/],
    ["a secret in an env var", { values: { extraEnv: [{ name: "K", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }] } }, /extraEnv.0: Additional property valueFrom is not allowed/],
    ["a subPath mount", { values: { extraVolumeMounts: [{ name: "x", mountPath: "/x", subPath: "f" }] } }, /subPath: Must not validate the schema/],
    ["an unknown log level", { sets: ["config.log_level=verbose"] }, /config.log_level must be one of the following/],
    ["gRPC probes against a TLS port", { sets: ["tls.enabled=true", "tls.secretName=t"] }, /gRPC probes speak plaintext only/],
    ["TLS without a Secret", { sets: ["tls.enabled=true", "probes.mode=http"] }, /tls.enabled needs tls.secretName/],
    ["HTTP probes without the admin port", { sets: ["probes.mode=http", "admin.enabled=false"] }, /probes.mode=http needs admin.enabled/],
    ["nobody allowed to call", { sets: ["auth.allowUnauthenticated=false"] }, /nobody may call/],
    ["a project without a key", { sets: ["uploadcareSecret.existingSecret="] }, /project "main" has no secret key/],
    ["a project listed twice", { values: { projects: [{ name: "a", publicKey: "p" }, { name: "a", publicKey: "q" }] } }, /project "a" is listed twice/],
    ["min above max replicas", { sets: ["autoscaling.enabled=true", "autoscaling.minReplicas=5", "autoscaling.maxReplicas=2"] }, /minReplicas is above/],
  ];
  for (const [what, { sets = [], values }, message] of refused) {
    test(what, () => {
      const files = [DEFAULT];
      if (values) files.push(valuesFile(values));
      assert.match(renderError({ files, sets }), message);
    });
  }

  test("no project at all", () => {
    assert.match(renderError({ sets: ["auth.allowUnauthenticated=true"] }), /set at least one project/);
  });
});
