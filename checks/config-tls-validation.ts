// No switch in the config turns off certificate validation. Dendrite's sample says of
// federation_api.disable_tls_validation "Do not enable this option in production as it presents a security risk!"
// (likewise for app services, NATS and push gateways); Synapse's federation_verify_certificates: false and
// use_insecure_ssl_client_just_for_testing_do_not_use do the same for federation and outbound requests.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import { at, DOCS, verdict, type Finding } from "../src/homeserver/messages.js";

const WHAT: Record<string, string> = {
  "federation_api.disable_tls_validation": "certificates of other homeservers",
  "app_service_api.disable_tls_validation": "certificates of application services",
  "global.jetstream.disable_tls_validation": "the NATS server's certificate",
  "user_api.push_gateway_disable_tls_validation": "push gateways' certificates",
  federation_verify_certificates: "certificates of other homeservers",
  use_insecure_ssl_client_just_for_testing_do_not_use: "certificates on every outbound HTTPS request",
};

export default defineCheck({
  id: "config-tls-validation",
  category: "config",
  title: "TLS certificate validation is not disabled",
  docs: DOCS.dendriteSample,
  requires: ["homeserverConfig"],
  run({ homeserverConfig: fact }): Outcome {
    const off = fact.tlsValidation.filter((s) => s.disabled);
    const dendrite = fact.implementation === "dendrite";
    const findings: Finding[] = off.map((s) => {
      const where = at(fact, s.key, s.line);
      const good = s.key === "federation_verify_certificates" ? "true" : "false";
      const restart = dendrite ? "systemctl restart dendrite" : "systemctl restart matrix-synapse";
      return {
        level: "warn",
        text: `${s.key} (${where}) turns off validation of ${WHAT[s.key] ?? "TLS certificates"}: anyone on the network path can impersonate them`,
        fix:
          s.key === "use_insecure_ssl_client_just_for_testing_do_not_use"
            ? `Remove \`${s.key}\` from ${fact.path} (${where}), then \`${restart}\`.`
            : `Set \`${s.key.split(".").pop() ?? s.key}: ${good}\` (${where}) in ${fact.path}, then \`${restart}\`. For a private CA, trust it on the host instead (\`update-ca-certificates\`${dendrite ? "" : ", or Synapse's federation_custom_ca_list"}).`,
        docs: dendrite ? DOCS.dendriteSample : DOCS.synapseKey(s.key === "federation_verify_certificates" ? "federation_verify_certificates" : "federation_custom_ca_list"),
      } satisfies Finding;
    });
    const details = { settings: fact.tlsValidation.map((s) => ({ key: s.key, disabled: s.disabled })) };
    const summary =
      fact.tlsValidation.length > 0
        ? `certificate validation is on (${fact.tlsValidation.map((s) => s.key).join(", ")})`
        : "no setting turns certificate validation off (the default)";
    return verdict(findings, summary, details);
  },
});
