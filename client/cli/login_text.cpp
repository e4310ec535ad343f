#include "client/cli/login_text.h"

#include <boost/url/parse.hpp>

namespace bqb::cli {

std::optional<int> redirect_port(std::string_view redirect_uri) {
  auto url = boost::urls::parse_absolute_uri(redirect_uri);
  if (!url || !url->has_port() || url->port_number() == 0) return std::nullopt;
  return url->port_number();
}

std::string render_login_instructions(const api::LoginStarted& started, bool read_paste) {
  std::string out = "Open this address in a browser to sign in:\n\n  " + started.auth_url + "\n\n";
  if (auto port = redirect_port(started.redirect_uri)) {
    std::string p = std::to_string(*port);
    out += "If this machine is remote, forward the port first: ssh -L " + p + ":127.0.0.1:" + p +
           " HOST\n";
  }
  if (read_paste) {
    out += "…or paste the address your browser was sent to (it starts with " +
           started.redirect_uri + ") and press Enter:\n";
  }
  return out;
}

std::string render_signed_in(std::string_view email) {
  return "Signed in as " + std::string(email) + "\n";
}

}  // namespace bqb::cli
