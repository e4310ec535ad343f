#pragma once
// The GCE metadata-server emulation, request side: which answer an HTTP request asks for, and the
// checks a request must pass first. Pure: the endpoint (daemon/metadata/metadata_server.h) hands in
// the method, target and the headers that matter, and gets back a MetadataCall or the refusal to
// send.
//
// Checks, in order (each refusal is a MetadataReply with a plain-text reason):
// - `Metadata-Flavor: Google` (exact value) is required: 403 otherwise, as GCE answers. Browsers
//   cannot send this header cross-origin without a CORS preflight, which the endpoint never
//   approves, so it also keeps web pages out.
// - `X-Forwarded-For` present: 403 (GCE refuses proxied requests the same way).
// - `Origin` present: 403. Browsers send Origin on every cross-origin request and on same-origin
//   non-GET ones; no client library ever does. A page that got past the flavor check some other
//   way (a browser bug, an extension, a plugin) is still refused before any work.
// - `Host` must name loopback: 127.0.0.0/8, [::1], `localhost`, or `metadata.google.internal`,
//   with or without a port; otherwise 403. This stops DNS rebinding: a web page whose name an
//   attacker re-points at 127.0.0.1 still sends its own name as Host. `metadata.google.internal`
//   is accepted because clients without an override send it (a user may map it to 127.0.0.1 in
//   /etc/hosts) and `.internal` is reserved for private use (never delegated in public DNS), so
//   no outside party can point a browser at it. A missing Host is 400 (RFC 9112 §3.2).
// - Method GET (HEAD too): 405 otherwise.
//
// Paths (a trailing slash is optional everywhere; anything else is 404):
//   /  /computeMetadata/  /computeMetadata/v1/  …/v1/instance/  …/v1/project/   directory listings
//   …/v1/instance/service-accounts/                                   "default/\nEMAIL/\n", or
//                           with ?recursive=true {"default":{account info},"EMAIL":{the same}}
//   …/service-accounts/{default|EMAIL}/            listing, or with ?recursive=true the JSON
//                                                  {"aliases":["default"],"email","scopes":[…]}
//   …/service-accounts/{default|EMAIL}/token[?scopes=a,b]             the token JSON
//   …/service-accounts/{default|EMAIL}/email | scopes | aliases       text
//   …/v1/project/project-id                                           text, 404 when unknown
//   …/v1/project/numeric-project-id      text, 404 unless `[metadata] numeric_project_id` is set
// `universe/universe-domain` and `identity` are 404: clients then use googleapis.com, and a user
// account has no GCE identity token.
//
// Query parameters GCE reads on every key (others are ignored, as GCE does):
//   alt=json|text          the answer's form (metadata_answer.h says what each form is); any
//                          other value is 400
//   wait_for_change=true   hold the answer until the value's ETag differs from `last_etag` (or,
//                          without one, from the current value's), or `timeout_sec` passes
//   last_etag=E  timeout_sec=N (1 to 3600; otherwise 400)   read only with wait_for_change

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "daemon/oauth/scopes.h"

namespace bqb::metadata {

/// Content types as GCE sends them. JSON is exactly "application/json": python google-auth 1.x
/// parses a body as JSON only when the whole header equals that.
inline constexpr std::string_view kJson = "application/json";
inline constexpr std::string_view kText = "application/text";

/// One answer of the endpoint, before the HTTP framing (which adds `Metadata-Flavor: Google`).
struct MetadataReply {
  int status = 200;
  std::string content_type{kText};
  std::string body;

  friend bool operator==(const MetadataReply&, const MetadataReply&) = default;
};

/// The parts of an HTTP request the endpoint looks at.
struct MetadataHttpRequest {
  std::string_view method;  // "GET"
  std::string_view target;  // origin-form: path and query
  std::optional<std::string_view> metadata_flavor;
  std::optional<std::string_view> host;
  bool has_forwarded_for = false;
  bool has_origin = false;
};

/// `?alt=`: the form of the answer. `default_form` is each key's own (text for values and
/// listings, JSON for the token and recursive account info), as on GCE.
enum class Alt { default_form, json, text };

/// The longest `timeout_sec` a held request may ask for, and the hold without one. GCE documents
/// no limit; an hour bounds what a forgotten client holds (one connection slot).
inline constexpr std::chrono::seconds kMaxWaitForChange{3600};

/// `?wait_for_change=true`: answer once the value's ETag differs from `last_etag` (at once when
/// it already does), or from the value's ETag at the time of the request when no `last_etag` is
/// given; at the latest after `timeout`, with the value of that time.
struct WaitForChange {
  std::optional<std::string> last_etag;
  std::chrono::seconds timeout = kMaxWaitForChange;

  friend bool operator==(const WaitForChange&, const WaitForChange&) = default;
};

enum class Resource {
  listing,                // a directory: `body` of the call is the listing
  service_accounts,       // instance/service-accounts/
  service_accounts_info,  // instance/service-accounts/ with recursive=true
  account_info,           // service-accounts/X/ with recursive=true
  account_listing,        // service-accounts/X/ without recursive
  token,
  email,
  scopes,
  aliases,
  project_listing,  // project/
  project_id,
  numeric_project_id,
};

/// What a request that passed the checks asks for.
struct MetadataCall {
  Resource resource = Resource::listing;
  std::string listing;          // for Resource::listing
  std::string service_account;  // "default" or an email, for the service-accounts/X/ paths
  std::optional<std::string> scopes_param;  // the token path's raw `scopes` value, if given
  Alt alt = Alt::default_form;
  std::optional<WaitForChange> wait;

  friend bool operator==(const MetadataCall&, const MetadataCall&) = default;
};

/// @returns the call `request` asks for, or the refusal to answer with (403 flavor/forwarded/host,
/// 400 no Host, an unreadable target, an unknown `alt` or a bad `timeout_sec`, 405 method, 404
/// unknown path).
tl::expected<MetadataCall, MetadataReply> classify(const MetadataHttpRequest& request);

/// @returns whether `host` (a Host header value) names a loopback address or
/// metadata.google.internal, with or without a port.
bool is_allowed_host(std::string_view host);

}  // namespace bqb::metadata
