#pragma once
// The OAuth clients the fake knows, as Google's console would have registered them, and the
// client_secrets.json a user would download for one.

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "proto/error.h"
#include "proto/secret.h"

namespace bqb::fakes {

struct Client {
  std::string client_id;
  Secret client_secret;
  std::string project_id = "fake-project";
  std::string type = "installed";  // only "installed" (Desktop app) clients may use loopback
};

/// @returns a client with `client_id` and a fresh random secret shaped like Google's
/// ("GOCSPX-…", which the daemon's redactor recognises).
Client generate_client(std::string client_id, std::string project_id);

/// @returns the clients of a JSON document {"clients": [{"client_id", "client_secret",
/// "project_id"?, "type"?}]}; errors name the field, the entry and `where` (the file's path).
Result<std::vector<Client>> parse_clients(std::string_view text, std::string_view where);

/// @returns the client_secrets.json Google's console downloads for `c`, with auth_uri and
/// token_uri under `base_url` (e.g. "http://127.0.0.1:PORT").
nlohmann::json client_secrets_json(const Client& c, std::string_view base_url);

/// The registered clients, by id. A removed client answers invalid_client, as a deleted one does.
class ClientRegistry {
 public:
  /// Adds or replaces the client with the same id.
  void put(Client c);
  /// @returns whether a client with `client_id` was there.
  bool remove(std::string_view client_id);
  /// @returns the client, or nullptr when none has that id.
  const Client* find(std::string_view client_id) const;
  const std::vector<Client>& all() const { return clients_; }

 private:
  std::vector<Client> clients_;
};

}  // namespace bqb::fakes
