// Validates Kubernetes objects, as YAML streams (kustomize's output), against the JSON schemas that the
// kubernetes-models packages generate from the Kubernetes OpenAPI document (and from the
// prometheus-operator CRDs), the way `kubectl apply --validate=strict` would:
//   - every apiVersion/kind must have a schema (nothing is skipped);
//   - every object must pass it: required fields, types, formats, enums;
//   - no field the schema does not declare (kubectl's strict field validation).
// The compiled schema validators read each declared property of an object they check, so the fields of
// a valid object that were never read are exactly the undeclared ones; a Proxy records the reads.
// Usage: node validate-manifests.mjs FILE...   (exit 1 when any object is invalid)
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const crdModels = {
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9]+$/.test(kind)) return null;
  const base = crdModels[apiVersion] ?? `kubernetes-models/${apiVersion}`;
  try {
    const module = await import(`${base}/${kind}`);
    return module[kind] ?? null;
  } catch (error) {
    if (error?.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || error?.code === "ERR_MODULE_NOT_FOUND") return null;
    throw error;
  }
}

function tracked(value, path, objects) {
  if (value === null || typeof value !== "object") return value;
  const read = new Set();
  const children = new Map();
  objects.push({ value, path, read });
  return new Proxy(value, {
    get(target, key) {
      const child = Reflect.get(target, key);
      if (typeof key !== "string") return child;
      read.add(key);
      if (child === null || typeof child !== "object") return child;
      if (!children.has(key)) children.set(key, tracked(child, `${path}/${key}`, objects));
      return children.get(key);
    },
  });
}

function undeclaredFields(objects) {
  const found = [];
  for (const { value, path, read } of objects) {
    if (Array.isArray(value)) continue;
    for (const key of Object.keys(value)) {
      if (!read.has(key)) found.push(`${path}/${key}`);
    }
  }
  return found;
}

// The API server decodes base64 with Go's decoder, which skips line breaks; kustomize folds long values.
function unfoldBase64(object) {
  const maps = [object.kind === "Secret" ? object.data : null, object.kind === "ConfigMap" ? object.binaryData : null];
  for (const map of maps) {
    if (map === null || typeof map !== "object") continue;
    for (const key of Object.keys(map)) {
      if (typeof map[key] === "string") map[key] = map[key].replace(/[\r\n]/g, "");
    }
  }
}

async function validate(object) {
  if (object === null || typeof object !== "object" || Array.isArray(object)) return ["not a Kubernetes object"];
  unfoldBase64(object);
  const model = await modelFor(object.apiVersion, object.kind);
  if (model === null) return [`no schema for apiVersion ${object.apiVersion}, kind ${object.kind}`];
  const objects = [];
  try {
    model.prototype.validate.call(tracked(object, "", objects));
  } catch (error) {
    return (error.errors ?? [error]).map(e => e.instancePath !== undefined ? `${e.instancePath || "/"} ${e.message}` : String(e.message ?? e));
  }
  return undeclaredFields(objects).map(path => `${path}: unknown field`);
}

let objects = 0;
let failures = 0;
for (const file of process.argv.slice(2)) {
  for (const document of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length > 0) {
      failures++;
      console.error(`${file}: YAML error: ${document.errors[0].message}`);
      continue;
    }
    const object = document.toJS();
    if (object === null) continue;
    objects++;
    const name = `${object.kind ?? "?"} ${object.metadata?.namespace ? object.metadata.namespace + "/" : ""}${object.metadata?.name ?? "?"}`;
    const errors = await validate(object);
    if (errors.length > 0) {
      failures++;
      for (const error of errors) console.error(`${file}: ${name}: ${error}`);
    }
  }
}

console.log(`${objects} objects checked, ${failures} invalid`);
process.exit(failures > 0 || objects === 0 ? 1 : 0);
