// Registration is not open to everyone without a guard. Both homeservers refuse to start with open registration
// and no verification unless explicitly overridden: Dendrite (setup/config/config_clientapi.go, v0.13.8) unless
// reCAPTCHA is on or it runs with -really-enable-open-registration; Synapse (synapse/config/homeserver.py) unless
// a captcha, registrations_require_3pid or registration_requires_token is set, or
// enable_registration_without_verification: true. A registration_shared_secret lets whoever knows it create
// admin accounts, so the file that holds it must not be readable by every user.

import { defineCheck, type Outcome } from "../src/engine/check.js";
import type { HomeserverConfigFact } from "../src/engine/facts/config.js";
import { at, DOCS, verdict, type Finding } from "../src/homeserver/messages.js";

function dendriteFindings(fact: HomeserverConfigFact): Finding[] {
  const r = fact.registration;
  const where = at(fact, "client_api.registration_disabled");
  if (!r.open) return [];
  if (!r.captcha) {
    return [
      {
        level: "fail",
        text:
          `client_api.registration_disabled is false (${where}) without enable_registration_captcha: Dendrite refuses to start unless run with ` +
          `-really-enable-open-registration, and then anyone (and any spam bot) can create accounts`,
        fix:
          `Close it: \`client_api:\\n  registration_disabled: true\` in ${fact.path} and create accounts with \`/opt/dendrite/bin/create-account --config ${fact.path} --username NAME\` ` +
          `(needs client_api.registration_shared_secret). Or require reCAPTCHA: \`enable_registration_captcha: true\`, \`recaptcha_public_key: …\`, \`recaptcha_private_key: …\`.`,
        docs: DOCS.dendriteRegistration,
      },
    ];
  }
  if (!r.captchaKeysSet) {
    return [
      {
        level: "fail",
        text: `enable_registration_captcha is true (${at(fact, "client_api.enable_registration_captcha")}) but recaptcha_public_key or recaptcha_private_key is empty: Dendrite refuses to start`,
        fix: `Set both keys from the reCAPTCHA admin panel under client_api: in ${fact.path}: \`recaptcha_public_key: "…"\` and \`recaptcha_private_key: "…"\`.`,
        docs: DOCS.dendriteRegistration,
      },
    ];
  }
  return [];
}

function synapseFindings(fact: HomeserverConfigFact): Finding[] {
  const r = fact.registration;
  const findings: Finding[] = [];
  if (r.sharedSecretSet && r.sharedSecretPath) {
    findings.push({
      level: "fail",
      text: `both registration_shared_secret (${at(fact, "registration_shared_secret")}) and registration_shared_secret_path are set: Synapse refuses to start ("mutually incompatible")`,
      fix: `Keep one: remove registration_shared_secret from ${fact.path} and keep the secret in ${r.sharedSecretPath}.`,
      docs: DOCS.synapseKey("registration_shared_secret_path"),
    });
  }
  if (r.open) {
    const guarded = r.captcha || r.requires3pid.length > 0 || r.requiresToken;
    const where = at(fact, r.openKey);
    if (!guarded && !r.withoutVerification) {
      findings.push({
        level: "fail",
        text: `${r.openKey} opens registration (${where}) without a captcha, registrations_require_3pid or registration_requires_token: Synapse refuses to start`,
        fix:
          `Close it (\`enable_registration: false\`, and create users with \`register_new_matrix_user -c ${fact.path} http://localhost:8008\`), ` +
          `or guard it: \`registration_requires_token: true\` (then create tokens with the admin API) or \`registrations_require_3pid: [email]\` with an email section.`,
        docs: DOCS.synapseKey("enable_registration"),
      });
    } else if (!guarded) {
      findings.push({
        level: "warn",
        text: `registration is open to anyone without verification: enable_registration_without_verification overrides Synapse's refusal (${at(fact, "enable_registration_without_verification")}); spam bots can create accounts`,
        fix: `Guard it: \`registration_requires_token: true\` in ${fact.path} (tokens via the admin API), or a captcha, or \`enable_registration: false\`; then \`systemctl restart matrix-synapse\`.`,
        docs: DOCS.synapseKey("enable_registration_without_verification"),
      });
    }
  }
  return findings;
}

export default defineCheck({
  id: "config-registration",
  category: "config",
  title: "Registration is closed or guarded",
  docs: DOCS.dendriteRegistration,
  requires: ["homeserverConfig"],
  run({ homeserverConfig: fact }): Outcome {
    const r = fact.registration;
    const findings = fact.implementation === "dendrite" ? dendriteFindings(fact) : synapseFindings(fact);
    const secretKey = fact.implementation === "dendrite" ? "client_api.registration_shared_secret" : "registration_shared_secret";
    if (r.sharedSecretSet && fact.file?.worldReadable) {
      const others = fact.inlineSecrets.filter((k) => k !== secretKey);
      const user = fact.implementation === "dendrite" ? "dendrite" : "matrix-synapse";
      findings.push({
        level: "warn",
        text:
          `${fact.path} is readable by every user on the machine (mode ${fact.file.mode}) and holds ${secretKey}: anyone with a shell can create an admin account` +
          (others.length > 0 ? ` (it also holds ${others.join(", ")})` : ""),
        fix: `\`chown root:${user} ${fact.path} && chmod 640 ${fact.path}\``,
        docs: fact.implementation === "dendrite" ? DOCS.dendriteRegistration : DOCS.synapseKey("registration_shared_secret"),
      });
    }

    const how: string[] = [];
    if (r.open) {
      const guards = [r.captcha && "reCAPTCHA", r.requiresToken && fact.implementation === "synapse" && "registration tokens", r.requires3pid.length > 0 && `3PID (${r.requires3pid.join(", ")})`].filter(Boolean);
      how.push(`open registration guarded by ${guards.join(", ") || "nothing"}`);
    } else {
      how.push("registration closed");
    }
    if (r.sharedSecretSet || r.sharedSecretPath) how.push(`admin registration with the shared secret (${r.sharedSecretPath ?? secretKey}; keep it private)`);
    if (r.guestAccess) how.push("guest access on");
    const details = {
      open: r.open,
      captcha: r.captcha,
      requiresToken: r.requiresToken,
      requires3pid: r.requires3pid,
      withoutVerification: r.withoutVerification,
      sharedSecret: r.sharedSecretSet || r.sharedSecretPath !== undefined,
      guestAccess: r.guestAccess,
    };
    return verdict(findings, how.join("; "), details);
  },
});
