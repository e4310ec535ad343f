#pragma once
// The socket API's operations: one constant per (method, path pattern), used by the daemon's router
// to register its handlers and by the client to build its requests, and compared against
// proto/openapi.yaml by a test (routes_openapi), so the three cannot drift apart.

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace bqb::routes {

/// One operation. In `pattern`, `{name}` stands for exactly one path segment.
struct Route {
  std::string_view method;
  std::string_view pattern;
};

inline constexpr Route kStatus{"GET", "/v1/status"};
inline constexpr Route kDoctor{"GET", "/v1/doctor"};
inline constexpr Route kListAccounts{"GET", "/v1/accounts"};
inline constexpr Route kSetDefaultAccount{"PUT", "/v1/accounts/default"};
inline constexpr Route kImportAccount{"POST", "/v1/accounts/import"};
inline constexpr Route kRemoveAccount{"DELETE", "/v1/accounts/{email}"};
inline constexpr Route kStartLogin{"POST", "/v1/login"};
inline constexpr Route kLoginState{"GET", "/v1/login/{id}"};
inline constexpr Route kLoginRedirect{"POST", "/v1/login/{id}/redirect"};
inline constexpr Route kCancelLogin{"DELETE", "/v1/login/{id}"};
inline constexpr Route kToken{"GET", "/v1/token"};
inline constexpr Route kOpenMetadataSession{"POST", "/v1/metadata-sessions"};
inline constexpr Route kCloseMetadataSession{"DELETE", "/v1/metadata-sessions/{id}"};
inline constexpr Route kFollowMetadataSessionProcess{"PUT", "/v1/metadata-sessions/{id}/process"};
inline constexpr Route kQuery{"POST", "/v1/query"};
inline constexpr Route kCancelJob{"DELETE", "/v1/jobs/{project}/{job_id}"};

/// Every operation the daemon serves on its socket.
inline constexpr std::array kAll{kStatus,
                                 kDoctor,
                                 kListAccounts,
                                 kSetDefaultAccount,
                                 kImportAccount,
                                 kRemoveAccount,
                                 kStartLogin,
                                 kLoginState,
                                 kLoginRedirect,
                                 kCancelLogin,
                                 kToken,
                                 kOpenMetadataSession,
                                 kCloseMetadataSession,
                                 kFollowMetadataSessionProcess,
                                 kQuery,
                                 kCancelJob};

/// @returns `route`'s pattern with its `{name}` placeholders replaced, left to right, by
/// `segments`, which the caller has already percent-encoded as path segments. Placeholders
/// without a segment are left as they are; extra segments are ignored.
std::string target(const Route& route, const std::vector<std::string>& segments = {});

}  // namespace bqb::routes
