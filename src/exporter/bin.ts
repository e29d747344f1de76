#!/usr/bin/env node
// `node dist/src/exporter/bin.js [serve options]`: the exporter alone (the same as `matrix-doctor serve`).
import { serveMain } from "./main.js";

serveMain(process.argv.slice(2), process.env).then((code) => {
  process.stdout.write("", () => process.exit(code));
});
