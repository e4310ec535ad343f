// The control API of FakeGoogle, under /_fake/ (JSON in, JSON out). Tests use it to set the
// consent answer, inject faults, expire or revoke grants, shift the clock, manage clients, and
// observe what the broker sent. It is the only place issued tokens are ever shown.
//
//   GET    /_fake/health                          {"ok": true}
//   GET    /_fake/stats      DELETE /_fake/stats  request counters and the masked token log
//   GET    /_fake/tokens                          refresh and access tokens issued (with values)
//   GET|POST /_fake/consent  {"mode": "allow"|"deny"|"interactive", "email"?, "use_login_hint"?,
//                             "accounts"? (the consent page's picker)}
//   GET|POST /_fake/settings {"expires_in"?, "expires_in_as_string"?, "omit_refresh_token"?,
//                             "code_lifetime_seconds"?}
//   GET|POST|DELETE /_fake/faults  POST one fault (faults.h) or {"faults": [...]}
//   POST   /_fake/refresh_tokens/revoke|expire    selector {"refresh_token"?, "email"?,
//   POST   /_fake/access_tokens/expire             "client_id"?} ({} = all) → {"count": n}
//   POST   /_fake/clock      {"advance_seconds": n} → {"offset_seconds": total}
//   GET|POST /_fake/clients  POST {"client_id", "client_secret"?, "project_id"?} → client_secrets
//   GET    /_fake/clients/ID/client_secrets.json   DELETE /_fake/clients/ID

#include <algorithm>

#include "fakes/oauth/fake_google.h"
#include "proto/json_fields.h"

namespace bqb::fakes {
namespace {

namespace jf = json_fields;
using nlohmann::json;

/// Where one client's own endpoints live: /_fake/clients/ID…
constexpr std::string_view kClientsPrefix = "/_fake/clients/";

FakeResponse control_error(int status, std::string message) {
  return json_response(status, {{"error", status == 404 ? "not_found" : "bad_request"},
                                {"error_description", std::move(message)}});
}

/// The answer to a method the resource does not have, or a path that names none.
template <class Call>
FakeResponse no_control_endpoint(const Call& c) {
  return control_error(404, "no control endpoint " + c.method + " " + c.path);
}

FakeResponse from_error(const Error& e) { return control_error(400, e.message); }

template <class... R>
std::optional<Error> first_error(const R&... results) {
  std::optional<Error> out;
  ((out = out ? out : (results ? std::nullopt : std::optional<Error>(results.error()))), ...);
  return out;
}

Result<json> body_json(const FakeRequest& req, std::string_view where) {
  if (req.body.empty()) return json::object();
  BQB_TRY(j, jf::parse(req.body, where));
  if (!j.is_object()) return fail(Errc::invalid_json, std::string(where) + " must be an object");
  return j;
}

Result<GrantSelector> parse_selector(const json& j, std::string_view where) {
  GrantSelector s;
  BQB_TRY(token, jf::optional_string(j, "refresh_token", where));
  BQB_TRY(email, jf::optional_string(j, "email", where));
  BQB_TRY(client_id, jf::optional_string(j, "client_id", where));
  s.token = std::move(token);
  s.email = std::move(email);
  s.client_id = std::move(client_id);
  return s;
}

json settings_json(const Settings& s) {
  return {{"expires_in", s.expires_in},
          {"expires_in_as_string", s.expires_in_as_string},
          {"omit_refresh_token", s.omit_refresh_token},
          {"code_lifetime_seconds", s.code_lifetime.count()}};
}

json consent_json(const ConsentMode& c) {
  const char* mode = c.kind == ConsentMode::Kind::allow  ? "allow"
                     : c.kind == ConsentMode::Kind::deny ? "deny"
                                                         : "interactive";
  return {{"mode", mode},
          {"email", c.email},
          {"use_login_hint", c.use_login_hint},
          {"accounts", c.accounts}};
}

/// @returns the "accounts" array of strings of `b`, nullopt when absent.
Result<std::optional<std::vector<std::string>>> optional_accounts(const json& b,
                                                                  const std::string& where) {
  if (!b.contains("accounts")) return std::nullopt;
  const json& a = b["accounts"];
  std::vector<std::string> out;
  const bool ok = a.is_array() && std::all_of(a.begin(), a.end(), [](const json& e) {
                    return e.is_string() && !e.get_ref<const std::string&>().empty();
                  });
  if (!ok) {
    return fail(Errc::invalid_json,
                "field 'accounts' in " + where + " must be an array of non-empty strings");
  }
  for (const auto& e : a) out.push_back(e.get<std::string>());
  return out;
}

}  // namespace

/// One control call: its method, path and JSON body, and how errors name that body.
struct FakeGoogle::ControlCall {
  const std::string& method;
  const std::string& path;
  const json& body;
  const std::string& where;
};

FakeResponse FakeGoogle::control(const FakeRequest& req, const Target& target,
                                 Clock::time_point now) {
  const std::string& path = target.path;
  const std::string& m = req.method;
  const std::string where = "the body of " + m + " " + path;
  auto body = body_json(req, where);
  if (!body) return from_error(body.error());
  const ControlCall call{m, path, *body, where};

  if (path == "/_fake/health" && m == "GET") return json_response(200, {{"ok", true}});
  if (path == "/_fake/stats") return control_stats(call);
  if (path == "/_fake/tokens" && m == "GET") return json_response(200, grants_.to_json(now));
  if (path == "/_fake/consent") return control_consent(call);
  if (path == "/_fake/settings") return control_settings(call);
  if (path == "/_fake/faults") return control_faults(call);
  if (m == "POST" &&
      (path == "/_fake/refresh_tokens/revoke" || path == "/_fake/refresh_tokens/expire" ||
       path == "/_fake/access_tokens/expire")) {
    return control_grants(call, now);
  }
  if (path == "/_fake/clock" && m == "POST") {
    auto advance = jf::required_int(*body, "advance_seconds", where);
    if (!advance) return from_error(advance.error());
    clock_offset_ += std::chrono::seconds(*advance);
    return json_response(200, {{"offset_seconds", clock_offset_.count()}});
  }
  if (path == "/_fake/clients") return control_clients(call);
  if (path.starts_with(kClientsPrefix)) return control_client(call);
  return no_control_endpoint(call);
}

FakeResponse FakeGoogle::control_stats(const ControlCall& c) {
  if (c.method == "GET") return json_response(200, log_.to_json());
  if (c.method == "DELETE") {
    log_.reset();
    return json_response(200, json::object());
  }
  return no_control_endpoint(c);
}

FakeResponse FakeGoogle::control_consent(const ControlCall& c) {
  if (c.method == "POST") {
    auto mode = jf::required_string(c.body, "mode", c.where);
    if (!mode) return from_error(mode.error());
    auto email = jf::optional_string(c.body, "email", c.where);
    if (!email) return from_error(email.error());
    auto hint = jf::optional_bool(c.body, "use_login_hint", c.where);
    if (!hint) return from_error(hint.error());
    auto accounts = optional_accounts(c.body, c.where);
    if (!accounts) return from_error(accounts.error());
    if (*mode != "allow" && *mode != "deny" && *mode != "interactive") {
      return control_error(
          400, "field 'mode' in " + c.where + " must be \"allow\", \"deny\" or \"interactive\"");
    }
    consent_.kind = *mode == "allow"  ? ConsentMode::Kind::allow
                    : *mode == "deny" ? ConsentMode::Kind::deny
                                      : ConsentMode::Kind::interactive;
    if (*email) consent_.email = **email;
    if (*accounts) consent_.accounts = std::move(**accounts);
    consent_.use_login_hint = hint->value_or(false);
  }
  if (c.method == "POST" || c.method == "GET") return json_response(200, consent_json(consent_));
  return no_control_endpoint(c);
}

FakeResponse FakeGoogle::control_settings(const ControlCall& c) {
  if (c.method == "POST") {
    auto expires_in = jf::optional_int(c.body, "expires_in", c.where);
    auto as_string = jf::optional_bool(c.body, "expires_in_as_string", c.where);
    auto omit = jf::optional_bool(c.body, "omit_refresh_token", c.where);
    auto code_lifetime = jf::optional_int(c.body, "code_lifetime_seconds", c.where);
    if (auto e = first_error(expires_in, as_string, omit, code_lifetime)) return from_error(*e);
    if (*expires_in) settings_.expires_in = **expires_in;
    if (*as_string) settings_.expires_in_as_string = **as_string;
    if (*omit) settings_.omit_refresh_token = **omit;
    if (*code_lifetime) settings_.code_lifetime = std::chrono::seconds(**code_lifetime);
  }
  if (c.method == "POST" || c.method == "GET") return json_response(200, settings_json(settings_));
  return no_control_endpoint(c);
}

FakeResponse FakeGoogle::control_faults(const ControlCall& c) {
  if (c.method == "POST") {
    std::vector<Fault> added;
    const bool list = c.body.contains("faults");
    if (list && !c.body["faults"].is_array()) {
      return control_error(400, "field 'faults' in " + c.where + " must be an array");
    }
    const json items = list ? c.body["faults"] : json::array({c.body});
    for (std::size_t i = 0; i < items.size(); ++i) {
      auto f =
          parse_fault(items[i], list ? "faults[" + std::to_string(i) + "] of " + c.where : c.where);
      if (!f) return from_error(f.error());
      added.push_back(std::move(*f));
    }
    for (auto& f : added) faults_.push(std::move(f));
  }
  if (c.method == "DELETE") faults_.clear();
  if (c.method == "POST" || c.method == "GET" || c.method == "DELETE") {
    return json_response(200, {{"pending", faults_.pending()}});
  }
  return no_control_endpoint(c);
}

FakeResponse FakeGoogle::control_grants(const ControlCall& c, Clock::time_point now) {
  auto s = parse_selector(c.body, c.where);
  if (!s) return from_error(s.error());
  const int n = c.path == "/_fake/refresh_tokens/revoke"   ? grants_.revoke_where(*s)
                : c.path == "/_fake/refresh_tokens/expire" ? grants_.expire_refresh_where(*s)
                                                           : grants_.expire_access_where(*s, now);
  return json_response(200, {{"count", n}});
}

FakeResponse FakeGoogle::control_clients(const ControlCall& c) {
  if (c.method == "GET") {
    json ids = json::array();
    for (const auto& client : clients_.all()) ids.push_back(client.client_id);
    return json_response(200, {{"client_ids", ids}});
  }
  if (c.method == "POST") {
    auto id = jf::required_string(c.body, "client_id", c.where);
    if (!id) return from_error(id.error());
    auto secret = jf::optional_string(c.body, "client_secret", c.where);
    if (!secret) return from_error(secret.error());
    auto project = jf::optional_string(c.body, "project_id", c.where);
    if (!project) return from_error(project.error());
    Client client = generate_client(*id, project->value_or("fake-project"));
    if (*secret) client.client_secret = Secret(**secret);
    json answer = client_secrets_json(client, base_url_);
    clients_.put(std::move(client));
    return json_response(200, answer);
  }
  return no_control_endpoint(c);
}

FakeResponse FakeGoogle::control_client(const ControlCall& c) {
  const std::string_view rest = std::string_view(c.path).substr(kClientsPrefix.size());
  constexpr std::string_view kFile = "/client_secrets.json";
  if (c.method == "GET" && rest.ends_with(kFile)) {
    const Client* client = clients_.find(rest.substr(0, rest.size() - kFile.size()));
    if (client == nullptr) return control_error(404, "no client " + std::string(rest));
    return json_response(200, client_secrets_json(*client, base_url_));
  }
  if (c.method == "DELETE") {
    if (!clients_.remove(rest)) return control_error(404, "no client " + std::string(rest));
    return json_response(200, json::object());
  }
  return no_control_endpoint(c);
}

}  // namespace bqb::fakes
