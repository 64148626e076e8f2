// deploy/kubernetes/: the plain manifests are what render-manifests.sh
// renders from the chart now, kustomize builds them, and every object they
// make passes the Kubernetes API types.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import {
  HELM,
  KUBECTL,
  apiProblems,
  manifestsDir,
  parseDocuments,
  repoRoot,
  run,
} from "./lib.mjs";

const readDir = (dir) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(path.join(dir, name), "utf8")]),
  );

test("deploy/kubernetes is current: render-manifests.sh renders the same files", () => {
  const out = mkdtempSync(path.join(tmpdir(), "ucgate-manifests-"));
  const result = run("bash", ["deploy/scripts/render-manifests.sh", out], {
    cwd: repoRoot,
    env: { ...process.env, HELM },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.deepEqual(
    readDir(manifestsDir),
    readDir(out),
    "deploy/kubernetes is stale: run deploy/scripts/render-manifests.sh and commit",
  );
});

test("kubectl kustomize builds them into objects the Kubernetes API accepts", async () => {
  const result = run(KUBECTL, ["kustomize", manifestsDir]);
  assert.equal(result.status, 0, result.stderr);
  const objects = parseDocuments(result.stdout);
  assert.deepEqual(objects.map((o) => o.kind).sort(), [
    "ConfigMap",
    "Deployment",
    "Namespace",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "Service",
    "ServiceAccount",
  ]);
  for (const object of objects) {
    assert.deepEqual(await apiProblems(object), []);
    if (object.kind !== "Namespace") {
      assert.equal(object.metadata.namespace, "ucgate", object.kind);
    }
  }
  const namespace = objects.find((o) => o.kind === "Namespace");
  assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
  // No Secret: the keys come from one the operator makes.
  const deployment = objects.find((o) => o.kind === "Deployment");
  const keys = deployment.spec.template.spec.volumes.find((v) => v.name === "uploadcare-keys");
  assert.equal(keys.secret.secretName, "ucgate-uploadcare");
});

test("a kustomize overlay can patch them", () => {
  const overlay = mkdtempSync(path.join(tmpdir(), "ucgate-overlay-"));
  const base = path.relative(overlay, manifestsDir);
  const kustomization = [
    "apiVersion: kustomize.config.k8s.io/v1beta1",
    "kind: Kustomization",
    `resources: [${base}]`,
    "patches:",
    "  - target: {kind: Deployment, name: ucgate}",
    "    patch: |-",
    "      - op: replace",
    "        path: /spec/replicas",
    "        value: 4",
  ].join("\n");
  writeFileSync(path.join(overlay, "kustomization.yaml"), kustomization);
  const result = run(KUBECTL, ["kustomize", overlay]);
  assert.equal(result.status, 0, result.stderr);
  const deployment = parseDocuments(result.stdout).find((o) => o.kind === "Deployment");
  assert.equal(deployment.spec.replicas, 4);
});
