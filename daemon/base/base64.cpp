#include "daemon/base/base64.h"

#include <openssl/evp.h>

#include <cstddef>

namespace bqb {
namespace {

bool standard_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

const unsigned char* bytes_of(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Decodes padded standard base64 that `checked` has already validated character by character.
std::string decode_block(std::string_view checked) {
  std::string out(checked.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(checked),
                          static_cast<int>(checked.size()));
  // EVP_DecodeBlock counts the zero bytes that padding stands for; drop them.
  std::size_t pad = 0;
  if (!checked.empty() && checked.back() == '=') ++pad;
  if (checked.size() > 1 && checked[checked.size() - 2] == '=') ++pad;
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n) - pad);
  return out;
}

// @returns whether `text` is padded standard base64: length a multiple of 4, alphabet characters,
// and at most two '=' only at the end.
bool valid_padded(std::string_view text) {
  if (text.size() % 4 != 0) return false;
  std::size_t data = text.size();
  while (data > 0 && text[data - 1] == '=') --data;
  if (text.size() - data > 2) return false;
  for (std::size_t i = 0; i < data; ++i) {
    if (!standard_char(text[i])) return false;
  }
  return true;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // +1: EVP_EncodeBlock's NUL
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(bytes),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  std::string padded;
  padded.reserve(text.size() + 2);
  for (char c : text) {
    if (c == '+' || c == '/') return fail(Errc::bad_request, "not valid base64url");
    padded.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  if (padded.size() % 4 == 1) return fail(Errc::bad_request, "not valid base64url");
  if (padded.find('=') == std::string::npos) {
    while (padded.size() % 4 != 0) padded.push_back('=');
  }
  if (!valid_padded(padded)) return fail(Errc::bad_request, "not valid base64url");
  return decode_block(padded);
}

}  // namespace bqb
