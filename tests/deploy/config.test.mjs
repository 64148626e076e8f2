// The configuration the chart renders, read by the real ucgate binary: each
// ci value set's config.yaml starts the gateway (listening on loopback, the
// key files written to a temporary directory), which `ucctl health` then
// finds SERVING.
//
// The files the rendered configuration names (TLS certificates, JWKS,
// page-token keys) are made in the temporary directory: certificates with the
// openssl command line, keys with node:crypto. Every key the chart can render
// is one ucgate accepts: the tls-callers value set renders them all, and the
// last test says so.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { stringify, parse } from "yaml";
import { ciValueFiles, only, renderChart, run } from "./lib.mjs";

const UCGATE = process.env.UCGATE_BIN;
const UCCTL = process.env.UCCTL_BIN;
// A CA bundle every Debian machine with ca-certificates has.
const SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt";

// A CA, a server certificate for 127.0.0.1 (tls.crt, tls.key) and a client
// certificate (client.crt, client.key) it signed, in `dir`.
function writeTlsMaterial(dir) {
  const openssl = (...args) => {
    const result = run("openssl", args, { cwd: dir });
    assert.equal(result.status, 0, result.stderr);
  };
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
    "-days", "1", "-subj", "/CN=ucgate-test-ca");
  const leaves = [["tls", "IP:127.0.0.1,DNS:localhost"], ["client", "URI:spiffe://cluster.local/ns/test/sa/probe"]];
  for (const [name, sans] of leaves) {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`,
      "-subj", `/CN=${name}`);
    writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${sans}\n`);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-out", `${name}.crt`, "-days", "1", "-extfile", `${name}.ext`);
  }
}

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
  if (config.tls) {
    writeTlsMaterial(dir);
    config.tls.cert_file = path.join(dir, "tls.crt");
    config.tls.key_file = path.join(dir, "tls.key");
    if (config.tls.client_ca_file) config.tls.client_ca_file = path.join(dir, "ca.crt");
    config.tls.staging_dir = dir;
  }
  for (const caller of config.callers ?? []) {
    if (!caller.jwt) continue;
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "RS256", use: "sig" };
    caller.jwt.jwks_file = path.join(dir, `jwks-${caller.name}.json`);
    writeFileSync(caller.jwt.jwks_file, JSON.stringify({ keys: [jwk] }));
  }
  if (config.page_token_keys_file) {
    config.page_token_keys_file = path.join(dir, "token-keys");
    writeFileSync(config.page_token_keys_file, `k1 ${randomBytes(32).toString("base64")}\n`);
  }
  return config;
}

// ucctl's connection options for a gateway started on `config`.
function ucctlConnection(config, dir, port) {
  const args = ["--target", `127.0.0.1:${port}`, "--timeout", "5"];
  if (config.tls) args.push("--ca-file", path.join(dir, "ca.crt"));
  if (config.tls?.client_ca_file) {
    args.push("--cert-file", path.join(dir, "client.crt"), "--key-file", path.join(dir, "client.key"));
  }
  return args;
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
      const config = localConfig(file, dir);
      const started = await startGateway(config, dir);
      assert.ok(started.port, `ucgate refused the config: ${started.stderr}`);
      try {
        if (UCCTL) {
          const health = run(UCCTL, [...ucctlConnection(config, dir, started.port), "health", "--output", "text"]);
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
    const config = localConfig(ciValueFiles()[0], dir);
    config.projects[0].secret_key_file = path.join(dir, "absent");
    const started = await startGateway(config, dir);
    assert.equal(started.exitCode, 2);
    assert.match(started.stderr, /projects\[0\]\.secret_key_file/);
  });

  test("the tls-callers value set renders every optional key, so the start test covers them", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "ucgate-config-"));
    const rendered = localConfig(path.join(path.dirname(ciValueFiles()[0]), "tls-callers-values.yaml"), dir);
    for (const key of ["admin_listen", "log_format", "tls", "allow_unauthenticated", "callers", "page_token_keys_file"]) {
      assert.ok(key in rendered, `the chart no longer renders ${key}`);
    }
  });
});
