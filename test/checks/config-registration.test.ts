import check from "../../checks/config-registration.js";
import { dendriteFact, fileStatus, probed, synapseFact } from "../homeserver/fixtures.js";
import { testCheck } from "../support/check-tester.js";

const captcha = { "client_api.registration_disabled": false, "client_api.enable_registration_captcha": true, "client_api.recaptcha_public_key": "pub", "client_api.recaptcha_private_key": "priv" };

testCheck(check, {
  valid: [
    {
      name: "the rig: closed, admin registration with the shared secret",
      facts: { homeserverConfig: probed(dendriteFact()) },
      summary: /^registration closed; admin registration with the shared secret \(client_api\.registration_shared_secret; keep it private\)$/,
    },
    { name: "Dendrite open with reCAPTCHA", facts: { homeserverConfig: probed(dendriteFact(captcha)) }, summary: /open registration guarded by reCAPTCHA/ },
    { name: "Synapse closed", facts: { homeserverConfig: probed(synapseFact()) } },
    { name: "Synapse open with tokens", facts: { homeserverConfig: probed(synapseFact({ enable_registration: true, registration_requires_token: true })) }, summary: /guarded by registration tokens/ },
    { name: "Synapse open with e-mail", facts: { homeserverConfig: probed(synapseFact({ enable_registration: true, registrations_require_3pid: ["email"] })) }, summary: /3PID \(email\)/ },
  ],
  invalid: [
    {
      name: "Dendrite open without captcha",
      facts: { homeserverConfig: probed(dendriteFact({ "client_api.registration_disabled": false })) },
      summary: /registration_disabled is false \(dendrite\.yaml line \d+\) without enable_registration_captcha: Dendrite refuses to start unless run with -really-enable-open-registration/,
      fix: /registration_disabled: true.*create-account --config \/etc\/dendrite\/dendrite\.yaml/,
    },
    { name: "Dendrite captcha without keys", facts: { homeserverConfig: probed(dendriteFact({ ...captcha, "client_api.recaptcha_private_key": "" })) }, summary: /recaptcha_public_key or recaptcha_private_key is empty/ },
    {
      name: "Synapse open without verification",
      facts: { homeserverConfig: probed(synapseFact({ enable_registration: true })) },
      summary: /^enable_registration opens registration \(homeserver\.yaml line \d+\) without a captcha, registrations_require_3pid or registration_requires_token: Synapse refuses to start$/,
      fix: /register_new_matrix_user -c \/etc\/matrix-synapse\/homeserver\.yaml/,
    },
    {
      name: "Synapse open with the explicit override",
      status: "warn",
      facts: { homeserverConfig: probed(synapseFact({ enable_registration: true, enable_registration_without_verification: true })) },
      summary: /open to anyone without verification: enable_registration_without_verification overrides/,
      fix: /registration_requires_token: true/,
    },
    {
      name: "Synapse shared secret twice",
      facts: { homeserverConfig: probed(synapseFact({ registration_shared_secret_path: "/etc/matrix-synapse/reg.secret" })) },
      summary: /both registration_shared_secret .* and registration_shared_secret_path are set: Synapse refuses to start/,
    },
    {
      name: "world-readable config holding the shared secret",
      status: "warn",
      facts: { homeserverConfig: probed(synapseFact(), { file: fileStatus("/etc/matrix-synapse/homeserver.yaml", "0644") }) },
      summary: /readable by every user on the machine \(mode 0644\) and holds registration_shared_secret: anyone with a shell can create an admin account \(it also holds macaroon_secret_key, form_secret, turn_shared_secret, database\.args\.password\)/,
      fix: /chmod 640 \/etc\/matrix-synapse\/homeserver\.yaml/,
    },
  ],
});
