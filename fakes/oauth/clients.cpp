#include "fakes/oauth/clients.h"

#include <algorithm>

#include "fakes/oauth/crypto.h"
#include "proto/json_fields.h"

namespace bqb::fakes {

Client generate_client(std::string client_id, std::string project_id) {
  return Client{std::move(client_id), Secret("GOCSPX-fake-" + random_urlsafe(18)),
                std::move(project_id), "installed"};
}

Result<std::vector<Client>> parse_clients(std::string_view text, std::string_view where) {
  BQB_TRY(doc, json_fields::parse(text, where));
  const auto list = doc.is_object() ? doc.find("clients") : doc.end();
  if (!doc.is_object() || list == doc.end() || !list->is_array()) {
    return fail(Errc::invalid_json,
                "field 'clients' in " + std::string(where) + " is missing or not an array");
  }
  std::vector<Client> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string entry = "clients[" + std::to_string(i) + "] of " + std::string(where);
    const auto& j = (*list)[i];
    BQB_TRY(id, json_fields::required_string(j, "client_id", entry));
    BQB_TRY(secret, json_fields::required_string(j, "client_secret", entry));
    BQB_TRY(project, json_fields::optional_string(j, "project_id", entry));
    BQB_TRY(type, json_fields::optional_string(j, "type", entry));
    if (type && *type != "installed") {
      return fail(Errc::invalid_json, "field 'type' in " + entry + " must be \"installed\"");
    }
    out.push_back(Client{std::move(id), Secret(std::move(secret)), project.value_or("fake-project"),
                         "installed"});
  }
  return out;
}

nlohmann::json client_secrets_json(const Client& c, std::string_view base_url) {
  const std::string base(base_url);
  return {{"installed",
           {{"client_id", c.client_id},
            {"project_id", c.project_id},
            {"auth_uri", base + "/o/oauth2/auth"},
            {"token_uri", base + "/token"},
            {"auth_provider_x509_cert_url", base + "/oauth2/v1/certs"},
            {"client_secret", c.client_secret.reveal()},
            {"redirect_uris", {"http://localhost"}}}}};
}

void ClientRegistry::put(Client c) {
  auto it = std::find_if(clients_.begin(), clients_.end(),
                         [&](const Client& x) { return x.client_id == c.client_id; });
  if (it != clients_.end()) {
    *it = std::move(c);
  } else {
    clients_.push_back(std::move(c));
  }
}

bool ClientRegistry::remove(std::string_view client_id) {
  auto n = std::erase_if(clients_, [&](const Client& x) { return x.client_id == client_id; });
  return n > 0;
}

const Client* ClientRegistry::find(std::string_view client_id) const {
  auto it = std::find_if(clients_.begin(), clients_.end(),
                         [&](const Client& x) { return x.client_id == client_id; });
  return it == clients_.end() ? nullptr : &*it;
}

}  // namespace bqb::fakes
