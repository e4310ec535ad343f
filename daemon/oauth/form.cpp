#include "daemon/oauth/form.h"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace bqb::oauth {

namespace urls = boost::urls;

std::string form_urlencode(const FormFields& fields) {
  urls::encoding_opts opts;
  opts.space_as_plus = true;
  std::string out;
  for (const auto& [key, value] : fields) {
    if (!out.empty()) out.push_back('&');
    out += urls::encode(key, urls::unreserved_chars, opts);
    out.push_back('=');
    out += urls::encode(value, urls::unreserved_chars, opts);
  }
  return out;
}

void append_query(urls::url& url, const FormFields& fields) {
  for (const auto& [key, value] : fields) {
    url.encoded_params().append(
        {urls::encode(key, urls::unreserved_chars), urls::encode(value, urls::unreserved_chars)});
  }
}

}  // namespace bqb::oauth
