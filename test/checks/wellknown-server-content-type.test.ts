import check from "../../checks/wellknown-server-content-type.js";
import { testCheck } from "../support/check-tester.js";
import { response, wellKnown } from "./_fixtures-wellknown.js";

const body = '{"m.server":"matrix.example.org:443"}';
const withType = (headers: Record<string, string>) => ({ wellKnownServer: wellKnown(response(200, body, headers)) });

testCheck(check, {
  valid: [
    { name: "application/json", facts: { wellKnownServer: wellKnown() }, summary: /Content-Type: application\/json/ },
    { name: "with charset", facts: withType({ "content-type": "application/json; charset=utf-8" }) },
    { name: "upper case", facts: withType({ "content-type": "Application/JSON" }) },
    { name: "skipped on 404", facts: { wellKnownServer: wellKnown(response(404, "", { "content-type": "text/html" })) }, status: "skip" },
    {
      name: "skipped on error",
      facts: { wellKnownServer: wellKnown({ code: "reset", message: "ECONNRESET" }) },
      status: "skip",
      summary: /wellknown-server-fetch/,
    },
  ],
  invalid: [
    {
      name: "text/plain",
      facts: withType({ "content-type": "text/plain" }),
      status: "warn",
      summary: /served with Content-Type text\/plain \(should be application\/json/,
      fix: /default_type application\/json;/,
      details: { contentType: "text/plain" },
    },
    {
      name: "no Content-Type",
      facts: withType({}),
      status: "warn",
      summary: /no Content-Type/,
      details: { contentType: null },
    },
    {
      name: "octet-stream (nginx default for extension-less files)",
      facts: withType({ "content-type": "application/octet-stream" }),
      status: "warn",
      fix: /types \{ \} default_type application\/json;/,
    },
    {
      name: "a look-alike type",
      facts: withType({ "content-type": "application/jsonp" }),
      status: "warn",
    },
  ],
});
