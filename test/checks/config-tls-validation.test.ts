import check from "../../checks/config-tls-validation.js";
import { dendriteFact, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";

testCheck(check, {
  valid: [
    {
      name: "the sample's switches, all off",
      facts: { homeserverConfig: dendriteFact() },
      summary: /^certificate validation is on \(federation_api\.disable_tls_validation, app_service_api\.disable_tls_validation, global\.jetstream\.disable_tls_validation\)$/,
    },
    { name: "Synapse without any switch", facts: { homeserverConfig: synapseFact() }, summary: /no setting turns certificate validation off/ },
    { name: "Synapse verifying explicitly", facts: { homeserverConfig: synapseFact({ federation_verify_certificates: true }) } },
  ],
  invalid: [
    {
      name: "Dendrite federation without validation",
      status: "warn",
      facts: { homeserverConfig: dendriteFact({ "federation_api.disable_tls_validation": true }) },
      summary: /^federation_api\.disable_tls_validation \(dendrite\.yaml line \d+\) turns off validation of certificates of other homeservers/,
      fix: /`disable_tls_validation: false` \(dendrite\.yaml line \d+\)/,
    },
    { name: "several switches", status: "warn", facts: { homeserverConfig: dendriteFact({ "federation_api.disable_tls_validation": true, "user_api.push_gateway_disable_tls_validation": true }) }, summary: /\(\+1 more\)$/ },
    { name: "Synapse federation_verify_certificates: false", status: "warn", facts: { homeserverConfig: synapseFact({ federation_verify_certificates: false }) }, fix: /federation_verify_certificates: true/ },
    { name: "Synapse's testing switch", status: "warn", facts: { homeserverConfig: synapseFact({ use_insecure_ssl_client_just_for_testing_do_not_use: true }) }, fix: /Remove `use_insecure_ssl_client_just_for_testing_do_not_use`/ },
  ],
});
