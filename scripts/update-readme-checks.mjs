// Rewrites the check table in README.md (between the checks:start/end markers) from the registry.
// Run after `npm run build`; test/checks/registry.test.ts fails while the table is out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { CHECKS } from "../dist/checks/index.js";

const readme = new URL("../README.md", import.meta.url);
const text = readFileSync(readme, "utf8");
const rows = ["| id | category | checks that |", "|---|---|---|", ...CHECKS.map((c) => `| \`${c.id}\` | ${c.category} | ${c.title} |`)];
const updated = text.replace(/(<!-- checks:start -->\n)[\s\S]*?(\n<!-- checks:end -->)/, `$1${rows.join("\n")}$2`);
if (updated === text && !text.includes("<!-- checks:start -->")) throw new Error("README.md has no checks:start/end markers");
writeFileSync(readme, updated);
console.log(`${CHECKS.length} checks in the README table`);
