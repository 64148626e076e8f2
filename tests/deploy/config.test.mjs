// The configuration the chart renders, read by the real ucgate binary: each
// ci value set's config.yaml starts the gateway (listening on loopback, the
// key files written to a temporary directory), which `ucctl health` then
// finds SERVING.
//
// PENDING_KEYS are the keys of the callers issue (14) that the chart renders
// but today's ucgate refuses as unknown; they are
// taken out before the start. The last test fails as soon as ucgate accepts
// one of them, so the list (and templates/_config.tpl) gets checked then.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { stringify, parse } from "yaml";
import { ciValueFiles, only, renderChart, run } from "./lib.mjs";

const UCGATE = process.env.UCGATE_BIN;
const UCCTL = process.env.UCCTL_BIN;
const PENDING_KEYS = ["tls", "allow_unauthenticated", "callers"];
// A CA bundle every Debian machine with ca-certificates has.
const SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt";

// The rendered config with its files moved to `dir` and gRPC on loopback.
function localConfig(file, dir) {
  const objects = renderChart({ files: [file] });
  const config = parse(only(objects, "ConfigMap").data["config.yaml"]);
  config.listen = "127.0.0.1:0";
  if (config.admin_listen) config.admin_listen = "127.0.0.1:0";
  for (const project of config.projects) {
    const key = path.join(dir, path.basename(project.secret_key_file));
    writeFileSync(key, `secret-of-${project.name}\n`);
    project.secret_key_file = key;
  }
  if (config.upstream.ca_file) config.upstream.ca_file = SYSTEM_CA;
  return config;
}

function withoutPending(config) {
  const today = structuredClone(config);
  for (const key of PENDING_KEYS) delete today[key];
  return today;
}

// Starts ucgate on `config`; resolves {port} once it listens, or {exitCode,
// stderr} when it exits first.
function startGateway(config, dir) {
  const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(config));
  const child = spawn(UCGATE, ["--config", file], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`ucgate neither listened nor exited in 20 s: ${stderr}`));
    }, 20000);
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      const match = /ucgate: listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        const admin = /ucgate: admin listening on 127\.0\.0\.1:(\d+)/.exec(stdout);
        resolve({ child, port: Number(match[1]), adminPort: admin ? Number(admin[1]) : undefined });
      }
    });
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("exit", (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stderr });
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.kill("SIGTERM");
  });
}

describe("ucgate reads the configuration the chart renders", { skip: !UCGATE && "UCGATE_BIN is not set" }, () => {
  for (const file of ciValueFiles()) {
    test(`ci/${path.basename(file)} (without the pending keys)`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "ucgate-config-"));
      const started = await startGateway(withoutPending(localConfig(file, dir)), dir);
      assert.ok(started.port, `ucgate refused the config: ${started.stderr}`);
      try {
        if (UCCTL) {
          const health = run(UCCTL, ["--target", `127.0.0.1:${started.port}`, "--timeout", "5", "health", "--output", "text"]);
          assert.equal(health.status, 0, health.stderr);
          assert.equal(health.stdout, "SERVING\n");
        }
        if (started.adminPort) {
          // What probes.mode=http and a Prometheus scrape ask the admin port.
          const base = `http://127.0.0.1:${started.adminPort}`;
          assert.equal((await fetch(`${base}/readyz`)).status, 200);
          assert.equal((await fetch(`${base}/healthz`)).status, 200);
          const metrics = await fetch(`${base}/metrics`);
          assert.equal(metrics.status, 200);
          assert.match(await metrics.text(), /^ucgate_build_info\{/m);
        }
      } finally {
        assert.deepEqual(await stop(started.child), { code: 0, signal: null });
      }
    });
  }

  test("a project's key file that is missing stops ucgate with the key named", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ucgate-config-"));
    const config = withoutPending(localConfig(ciValueFiles()[0], dir));
    config.projects[0].secret_key_file = path.join(dir, "absent");
    const started = await startGateway(config, dir);
    assert.equal(started.exitCode, 2);
    assert.match(started.stderr, /projects\[0\]\.secret_key_file/);
  });

  test("every key in PENDING_KEYS is still refused by today's ucgate", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ucgate-config-"));
    const rendered = localConfig(path.join(path.dirname(ciValueFiles()[0]), "tls-callers-values.yaml"), dir);
    for (const key of PENDING_KEYS) {
      assert.ok(key in rendered, `the chart no longer renders ${key}`);
      const config = { ...withoutPending(rendered), [key]: rendered[key] };
      const started = await startGateway(config, dir);
      if (started.child) await stop(started.child);
      assert.equal(
        started.exitCode,
        2,
        `ucgate now accepts '${key}': take it out of PENDING_KEYS here and check how templates/_config.tpl renders it`,
      );
      assert.match(started.stderr, new RegExp(`${key}: unknown key`));
    }
  });
});
