#include "daemon/metadata/metadata_request.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include <fmt/format.h>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "daemon/base/ascii.h"

namespace bqb::metadata {
namespace {

namespace urls = boost::urls;

MetadataReply refuse(int status, std::string reason) {
  reason.push_back('\n');
  return MetadataReply{status, std::string(kText), std::move(reason)};
}

bool is_true(std::string_view v) { return ascii_iequals(v, "true") || v == "1"; }

MetadataCall listing(std::string text) {
  MetadataCall c;
  c.resource = Resource::listing;
  c.listing = std::move(text);
  return c;
}

// The decoded path segments, without the empty one a trailing slash leaves.
std::vector<std::string> segments_of(const urls::url_view& url) {
  std::vector<std::string> out;
  for (auto s : url.segments()) out.emplace_back(s);
  if (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

std::optional<std::string> param(const urls::url_view& url, std::string_view name) {
  auto params = url.params();
  auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  return std::string((*it).value);
}

// service-accounts/{name}/... after ".../instance/service-accounts/{name}".
tl::expected<MetadataCall, MetadataReply> classify_service_account(
    const std::vector<std::string>& rest, const urls::url_view& url) {
  MetadataCall call;
  call.service_account = rest[0];
  if (rest.size() == 1) {
    const auto recursive = param(url, "recursive");
    call.resource =
        recursive && is_true(*recursive) ? Resource::account_info : Resource::account_listing;
    return call;
  }
  if (rest.size() == 2) {
    const std::string& leaf = rest[1];
    if (leaf == "token") {
      call.resource = Resource::token;
      call.scopes_param = param(url, "scopes");
      return call;
    }
    if (leaf == "email")
      call.resource = Resource::email;
    else if (leaf == "scopes")
      call.resource = Resource::scopes;
    else if (leaf == "aliases")
      call.resource = Resource::aliases;
    else if (leaf == "identity") {
      return tl::unexpected(refuse(404,
                                   "bqbroker serves user accounts, which have no GCE "
                                   "identity token; use `bqbroker token` for an access token"));
    } else {
      return tl::unexpected(refuse(404, fmt::format("no metadata entry '{}'", leaf)));
    }
    return call;
  }
  return tl::unexpected(refuse(404, "no such metadata entry"));
}

tl::expected<MetadataCall, MetadataReply> classify_path(const std::vector<std::string>& s,
                                                        const urls::url_view& url) {
  const auto n = s.size();
  if (n == 0) return listing("computeMetadata/\n");
  if (s[0] != "computeMetadata") return tl::unexpected(refuse(404, "not found"));
  if (n == 1) return listing("v1/\n");
  if (s[1] != "v1") return tl::unexpected(refuse(404, "only computeMetadata/v1 is served"));
  if (n == 2) return listing("instance/\nproject/\n");
  if (s[2] == "instance") {
    if (n == 3) return listing("service-accounts/\n");
    if (s[3] != "service-accounts") return tl::unexpected(refuse(404, "not found"));
    if (n == 4) {
      MetadataCall c;
      const auto recursive = param(url, "recursive");
      c.resource = recursive && is_true(*recursive) ? Resource::service_accounts_info
                                                    : Resource::service_accounts;
      return c;
    }
    const std::vector<std::string> rest(s.begin() + 4, s.end());
    return classify_service_account(rest, url);
  }
  if (s[2] == "project") {
    MetadataCall c;
    if (n == 3) {
      c.resource = Resource::project_listing;
      return c;
    }
    if (n == 4 && s[3] == "project-id") {
      c.resource = Resource::project_id;
      return c;
    }
    if (n == 4 && s[3] == "numeric-project-id") {
      c.resource = Resource::numeric_project_id;
      return c;
    }
  }
  return tl::unexpected(refuse(404, "not found"));
}

// The parameters GCE reads on every key: alt, wait_for_change, last_etag, timeout_sec.
tl::expected<void, MetadataReply> read_format_and_wait(const urls::url_view& url,
                                                       MetadataCall& call) {
  if (const auto alt = param(url, "alt")) {
    if (*alt == "json") {
      call.alt = Alt::json;
    } else if (*alt == "text") {
      call.alt = Alt::text;
    } else {
      return tl::unexpected(refuse(400, "'alt' must be 'json' or 'text'"));
    }
  }
  const auto wait = param(url, "wait_for_change");
  if (!wait || !is_true(*wait)) return {};
  WaitForChange w;
  w.last_etag = param(url, "last_etag");
  if (const auto timeout = param(url, "timeout_sec")) {
    long long seconds = 0;
    const auto* end = timeout->data() + timeout->size();
    auto [ptr, ec] = std::from_chars(timeout->data(), end, seconds);
    if (timeout->empty() || ec != std::errc() || ptr != end || seconds < 1 ||
        seconds > kMaxWaitForChange.count()) {
      return tl::unexpected(refuse(400, fmt::format("'timeout_sec' must be a whole number of "
                                                    "seconds from 1 to {}",
                                                    kMaxWaitForChange.count())));
    }
    w.timeout = std::chrono::seconds(seconds);
  }
  call.wait = std::move(w);
  return {};
}

}  // namespace

bool is_allowed_host(std::string_view host) {
  auto authority = urls::parse_authority(host);
  if (!authority || authority->has_userinfo()) return false;
  if (authority->has_port() && authority->port().empty()) return false;
  switch (authority->host_type()) {
    case urls::host_type::ipv4:
      return authority->host_ipv4_address().to_bytes()[0] == 127;
    case urls::host_type::ipv6:
      return authority->host_ipv6_address().is_loopback();
    case urls::host_type::name: {
      const std::string name = authority->host_name();
      return ascii_iequals(name, "localhost") || ascii_iequals(name, "metadata.google.internal");
    }
    default:
      return false;
  }
}

tl::expected<MetadataCall, MetadataReply> classify(const MetadataHttpRequest& request) {
  if (!request.metadata_flavor || *request.metadata_flavor != "Google") {
    return tl::unexpected(refuse(403, "missing the header 'Metadata-Flavor: Google'"));
  }
  if (request.has_forwarded_for) {
    return tl::unexpected(refuse(403, "requests with an X-Forwarded-For header are refused"));
  }
  if (request.has_origin) {
    return tl::unexpected(
        refuse(403, "requests from web pages (with an Origin header) are refused"));
  }
  if (!request.host) return tl::unexpected(refuse(400, "the request has no Host header"));
  if (!is_allowed_host(*request.host)) {
    return tl::unexpected(refuse(
        403,
        "the Host header must name a loopback address, localhost or metadata.google.internal"));
  }
  if (request.method != "GET" && request.method != "HEAD") {
    return tl::unexpected(refuse(405, "only GET is served"));
  }
  auto url = urls::parse_origin_form(request.target);
  if (!url) return tl::unexpected(refuse(400, "the request target is not a valid path"));
  auto call = classify_path(segments_of(*url), *url);
  if (!call) return call;
  if (auto read = read_format_and_wait(*url, *call); !read) return tl::unexpected(read.error());
  return call;
}

}  // namespace bqb::metadata
