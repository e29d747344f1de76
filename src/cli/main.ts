#!/usr/bin/env node
// The matrix-doctor executable.
import { main } from "./cli.js";

// Exit explicitly once output is flushed: a socket some server holds open must not keep us alive.
main(process.argv.slice(2)).then((code) => {
  process.stdout.write("", () => process.exit(code));
});
