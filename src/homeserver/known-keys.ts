// The config keys each homeserver reads, per section, to tell a typo (`turn-shared-secret`, `server-name`) from
// a key the homeserver knows. Both homeservers ignore unknown keys silently (Go yaml.v2 without strict mode;
// Synapse reads with dict.get), so a typo just loses the setting (matrix-org/synapse#3513).
//
// Sources:
// - Dendrite v0.13.8: the yaml tags of setup/config/config*.go (a superset of dendrite-sample.yaml, e.g.
//   registration_requires_token, sentry, enable_relays), plus gomatrixserverlib's SigningIdentity (server_name,
//   key_id) inlined in `global`.
// - Synapse: the top-level properties of schema/synapse-config.schema.yaml (element-hq/synapse a58ad44, the source
//   of docs/usage/configuration/config_documentation.md), plus older keys synapse/config/*.py still reads
//   (experimental_features, signing_key, database_path, account_validity, …); the database section from
//   synapse/config/database.py; database.args from the libpq connection keywords
//   (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS), psycopg2's `database`
//   alias and Twisted adbapi's cp_* arguments.

import type { ConfigKey, Implementation } from "../engine/facts/config.js";
import { LIBPQ_KEYWORDS } from "./dsn.js";

const DENDRITE_DATABASE = ["connection_string", "max_open_conns", "max_idle_conns", "conn_max_lifetime"];

/** Section path → keys Dendrite v0.13.8 reads there. "" is the top level. */
export const DENDRITE_KEYS: Record<string, readonly string[]> = {
  "": ["version", "global", "app_service_api", "client_api", "federation_api", "key_server", "media_api", "room_server", "sync_api", "user_api", "relay_api", "mscs", "tracing", "logging"],
  global: [
    "server_name",
    "key_id",
    "private_key",
    "old_private_keys",
    "key_validity_period",
    "database",
    "well_known_server_name",
    "well_known_client_name",
    "well_known_sliding_sync_proxy",
    "disable_federation",
    "presence",
    "trusted_third_party_id_servers",
    "jetstream",
    "metrics",
    "sentry",
    "dns_cache",
    "server_notices",
    "report_stats",
    "cache",
  ],
  "global.database": DENDRITE_DATABASE,
  "global.presence": ["enable_inbound", "enable_outbound"],
  "global.jetstream": ["addresses", "storage_path", "topic_prefix", "in_memory", "disable_tls_validation", "credentials_path"],
  "global.metrics": ["enabled", "basic_auth"],
  "global.metrics.basic_auth": ["username", "password"],
  "global.sentry": ["enabled", "dsn", "environment"],
  "global.dns_cache": ["enabled", "cache_size", "cache_lifetime"],
  "global.server_notices": ["enabled", "local_part", "display_name", "avatar_url", "room_name"],
  "global.report_stats": ["enabled", "endpoint"],
  "global.cache": ["max_size_estimated", "max_age"],
  app_service_api: ["disable_tls_validation", "legacy_auth", "legacy_paths", "config_files"],
  client_api: [
    "registration_disabled",
    "registration_requires_token",
    "registration_shared_secret",
    "guests_disabled",
    "enable_registration_captcha",
    "recaptcha_api_js_url",
    "recaptcha_sitekey_class",
    "recaptcha_form_field",
    "recaptcha_public_key",
    "recaptcha_private_key",
    "recaptcha_bypass_secret",
    "recaptcha_siteverify_api",
    "turn",
    "rate_limiting",
  ],
  "client_api.turn": ["turn_user_lifetime", "turn_uris", "turn_shared_secret", "turn_username", "turn_password"],
  "client_api.rate_limiting": ["enabled", "threshold", "cooloff_ms", "exempt_user_ids"],
  federation_api: [
    "database",
    "send_max_retries",
    "enable_relays",
    "p2p_retries_until_assumed_offline",
    "disable_tls_validation",
    "disable_http_keepalives",
    "key_perspectives",
    "prefer_direct_fetch",
  ],
  "federation_api.database": DENDRITE_DATABASE,
  key_server: ["database"],
  "key_server.database": DENDRITE_DATABASE,
  media_api: ["database", "base_path", "max_file_size_bytes", "dynamic_thumbnails", "max_thumbnail_generators", "thumbnail_sizes"],
  "media_api.database": DENDRITE_DATABASE,
  mscs: ["mscs", "database"],
  "mscs.database": DENDRITE_DATABASE,
  relay_api: ["database"],
  "relay_api.database": DENDRITE_DATABASE,
  room_server: ["default_room_version", "database"],
  "room_server.database": DENDRITE_DATABASE,
  sync_api: ["database", "real_ip_header", "search"],
  "sync_api.database": DENDRITE_DATABASE,
  "sync_api.search": ["enabled", "index_path", "in_memory", "language"],
  user_api: ["bcrypt_cost", "openid_token_lifetime_ms", "push_gateway_disable_tls_validation", "account_database", "auto_join_rooms", "worker_count"],
  "user_api.account_database": DENDRITE_DATABASE,
  tracing: ["enabled", "jaeger"],
};

const SYNAPSE_TOP_SCHEMA =
  "modules server_name pid_file daemonize print_pidfile user_agent_suffix use_frozen_dicts web_client_location public_baseurl " +
  "serve_server_wellknown extra_well_known_client_content soft_file_limit presence require_auth_for_profile_requests " +
  "limit_profile_requests_to_users_who_share_rooms include_profile_data_on_invite allow_public_rooms_without_auth " +
  "allow_public_rooms_over_federation default_room_version gc_thresholds gc_min_interval filter_timeline_limit " +
  "block_non_admin_invites enable_search ip_range_blacklist ip_range_whitelist listeners manhole manhole_settings http_proxy " +
  "https_proxy no_proxy_hosts matrix_authentication_service dummy_events_threshold delete_stale_devices_after email " +
  "max_event_delay_duration user_types admin_contact hs_disabled hs_disabled_message limit_usage_by_mau max_mau_value " +
  "mau_trial_days mau_appservice_trial_days mau_limit_alerting mau_stats_only mau_limit_reserved_threepids server_context " +
  "limit_remote_rooms require_membership_for_aliases allow_per_room_profiles max_avatar_size allowed_avatar_mimetypes " +
  "redaction_retention_period forgotten_room_retention_period user_ips_max_age request_token_inhibit_3pid_errors " +
  "next_link_domain_whitelist templates retention tls_certificate_path tls_private_key_path federation_verify_certificates " +
  "federation_client_minimum_tls_version federation_certificate_verification_whitelist federation_custom_ca_list " +
  "federation_domain_whitelist federation_whitelist_endpoint_enabled federation_metrics_domains " +
  "allow_profile_lookup_over_federation allow_device_name_lookup_over_federation federation event_cache_size caches database " +
  "databases log_config rc_message rc_registration rc_registration_token_validity rc_login rc_admin_redaction rc_joins " +
  "rc_joins_per_room rc_3pid_validation rc_invites rc_third_party_invite rc_media_create rc_federation rc_presence " +
  "rc_delayed_event_mgmt rc_reports rc_room_creation rc_user_directory federation_rr_transactions_per_room_per_second " +
  "enable_authenticated_media enable_media_repo enable_local_media_storage media_store_path max_pending_media_uploads " +
  "unused_expiration_time media_storage_providers max_upload_size media_upload_limits max_image_pixels " +
  "remote_media_download_burst_count remote_media_download_per_second prevent_media_downloads_from dynamic_thumbnails " +
  "thumbnail_sizes media_retention url_preview_enabled url_preview_ip_range_blacklist url_preview_ip_range_whitelist " +
  "url_preview_url_blacklist max_spider_size url_preview_accept_language oembed recaptcha_public_key recaptcha_public_key_path " +
  "recaptcha_private_key recaptcha_private_key_path enable_registration_captcha recaptcha_siteverify_api turn_uris " +
  "turn_shared_secret turn_shared_secret_path turn_username turn_password turn_user_lifetime turn_allow_guests matrix_rtc " +
  "enable_registration enable_registration_without_verification registrations_require_3pid disable_msisdn_registration " +
  "allowed_local_3pids enable_3pid_lookup registration_requires_token registration_shared_secret " +
  "registration_shared_secret_path bcrypt_rounds allow_guest_access default_identity_server account_threepid_delegates " +
  "enable_set_displayname enable_set_avatar_url enable_3pid_changes auto_join_rooms autocreate_auto_join_rooms " +
  "autocreate_auto_join_rooms_federated autocreate_auto_join_room_preset auto_join_mxid_localpart auto_join_rooms_for_guests " +
  "inhibit_user_in_use_error allow_underscore_prefixed_registration session_lifetime refreshable_access_token_lifetime " +
  "refresh_token_lifetime nonrefreshable_access_token_lifetime ui_auth login_via_existing_session enable_metrics sentry " +
  "metrics_flags report_stats report_stats_endpoint room_prejoin_state track_puppeted_user_ips app_service_config_files " +
  "track_appservice_user_ips use_appservice_legacy_authorization macaroon_secret_key macaroon_secret_key_path form_secret " +
  "form_secret_path signing_key_path old_signing_keys key_refresh_interval trusted_key_servers suppress_key_server_warning " +
  "key_server_signing_keys_path saml2_config oidc_providers cas_config sso jwt_config password_config push " +
  "encryption_enabled_by_default_for_room_type user_directory user_consent stats server_notices enable_room_list_search " +
  "alias_creation_rules room_list_publication_rules default_power_level_content_override forget_rooms_on_leave " +
  "exclude_rooms_from_sync exclude_rooms_from_presence opentracing worker_replication_secret worker_replication_secret_path " +
  "start_pushers pusher_instances send_federation federation_sender_instances instance_map stream_writers " +
  "outbound_federation_restricted_to run_background_tasks_on update_user_directory_from_worker notify_appservices_from_worker " +
  "media_instance_running_background_jobs redis worker_app worker_name worker_listeners worker_manhole worker_daemonize " +
  "worker_pid_file worker_log_config background_updates auto_accept_invites";

/** Keys synapse/config/*.py still reads (or rejects with a message) that the schema does not list. */
const SYNAPSE_TOP_EXTRA =
  "signing_key experimental_features database_path account_validity disable_registration " +
  "use_insecure_ssl_client_just_for_testing_do_not_use password_providers spam_checker third_party_event_rules use_presence " +
  "perspectives oidc_config ldap_config allow_underscore_prefixed_localpart enable_ephemeral_messages backup_media_store_path " +
  "federation_ip_range_blacklist room_invite_state_types restrict_public_rooms_to_local_users " +
  "trust_identity_server_for_password_resets use_account_validity_in_account_status gzip_responses";

const SYNAPSE_DATABASE = ["name", "args", "txn_limit", "allow_unsafe_locale", "data_stores"];
const SYNAPSE_PG_ARGS = [...LIBPQ_KEYWORDS, "database", "cp_min", "cp_max", "cp_noisy", "cp_openfun", "cp_reconnect", "cp_good_sql"];

export const SYNAPSE_KEYS: Record<string, readonly string[]> = {
  "": [...SYNAPSE_TOP_SCHEMA.split(" "), ...SYNAPSE_TOP_EXTRA.split(" ")],
  database: SYNAPSE_DATABASE,
  "database.args": SYNAPSE_PG_ARGS,
};

/** The known keys of a section, or undefined when matrix-doctor does not judge that section. */
export function knownKeysOf(implementation: Implementation, section: string): readonly string[] | undefined {
  if (implementation === "dendrite") return DENDRITE_KEYS[section];
  const generic = section.replace(/^databases\.[^.]+/, "database");
  return SYNAPSE_KEYS[generic];
}

/** Levenshtein distance, stopping early once it exceeds `limit`. */
export function editDistance(a: string, b: string, limit = 3): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > limit) return limit + 1;
    prev = cur;
  }
  return prev[b.length] ?? limit + 1;
}

export interface KeyTypo {
  /** The key path as written. */
  path: string;
  line?: number;
  /** The known key it most likely means, as a full path. */
  meant: string;
  /** The meant key is also present in the same section (the typo'd one is then a duplicate that is ignored). */
  meantAlsoPresent: boolean;
}

export interface KeyReview {
  typos: KeyTypo[];
  /** Unknown keys that look like no known key (a newer release's key, a module's, or a stray). */
  unknown: ConfigKey[];
}

/** Normalise spelling variants that are surely the same key: case, '-' for '_', surrounding blanks. */
function normalise(key: string): string {
  return key.trim().toLowerCase().replace(/-/g, "_");
}

function closest(key: string, known: readonly string[]): string | undefined {
  const n = normalise(key);
  const exact = known.find((k) => k === n);
  if (exact) return exact;
  // Short keys get less slack: "port" is one edit from "sort", two from many things.
  const limit = n.length <= 5 ? 1 : 2;
  let best: { key: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(n, k, limit);
    if (d <= limit && (!best || d < best.d)) best = { key: k, d };
  }
  return best?.key;
}

/** Sort the config's keys into known ones, likely typos of known ones, and others, for the sections judged. */
export function reviewKeys(implementation: Implementation, keys: readonly ConfigKey[]): KeyReview {
  const present = new Set(keys.map((k) => k.path));
  const typos: KeyTypo[] = [];
  const unknown: ConfigKey[] = [];
  for (const entry of keys) {
    const dot = entry.path.lastIndexOf(".");
    const section = dot < 0 ? "" : entry.path.slice(0, dot);
    const key = dot < 0 ? entry.path : entry.path.slice(dot + 1);
    const known = knownKeysOf(implementation, section);
    if (!known || known.includes(key)) continue;
    const meant = closest(key, known);
    if (meant === undefined) {
      unknown.push(entry);
      continue;
    }
    const meantPath = section === "" ? meant : `${section}.${meant}`;
    typos.push({ ...entry, meant: meantPath, meantAlsoPresent: present.has(meantPath) });
  }
  return { typos, unknown };
}
