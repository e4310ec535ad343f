#include "daemon/server/proc_net_tcp.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <vector>

namespace bqb {
namespace {

// ::ffff:0:0/96 (RFC 4291 section 2.5.5.2).
constexpr std::array<std::uint8_t, 12> kV4MappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_v4_mapped(const TcpAddress& a) {
  return a.size == 16 &&
         std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), a.bytes.begin());
}

template <class T>
bool parse_number(std::string_view s, T& out, int base) {
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc{} && end == s.data() + s.size();
}

// "0100007F:1F90" (8 hex digits for IPv4, 32 for IPv6).
std::optional<TcpAddress> parse_address(std::string_view field) {
  const auto colon = field.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view hex = field.substr(0, colon);
  if (hex.size() != 8 && hex.size() != 32) return std::nullopt;
  TcpAddress a;
  a.size = hex.size() / 2;
  for (std::size_t w = 0; w < hex.size() / 8; ++w) {
    std::uint32_t word = 0;
    if (!parse_number(hex.substr(w * 8, 8), word, 16)) return std::nullopt;
    std::memcpy(a.bytes.data() + w * 4, &word, sizeof(word));
  }
  const std::string_view port = field.substr(colon + 1);
  if (port.size() != 4 || !parse_number(port, a.port, 16)) return std::nullopt;
  return a;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

bool operator==(const TcpAddress& a, const TcpAddress& b) {
  const TcpAddress x = without_v4_mapping(a);
  const TcpAddress y = without_v4_mapping(b);
  const std::size_t size = std::min(x.size, x.bytes.size());
  return x.port == y.port && x.size == y.size &&
         std::equal(x.bytes.begin(), x.bytes.begin() + size, y.bytes.begin());
}

TcpAddress without_v4_mapping(const TcpAddress& a) {
  if (!is_v4_mapped(a)) return a;
  TcpAddress v4;
  v4.size = 4;
  v4.port = a.port;
  std::copy_n(a.bytes.begin() + kV4MappedPrefix.size(), 4, v4.bytes.begin());
  return v4;
}

TcpAddress as_v4_mapped(const TcpAddress& a) {
  if (a.size != 4) return a;
  TcpAddress mapped;
  mapped.size = 16;
  mapped.port = a.port;
  std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), mapped.bytes.begin());
  std::copy_n(a.bytes.begin(), 4, mapped.bytes.begin() + kV4MappedPrefix.size());
  return mapped;
}

std::optional<ProcNetTcpEntry> parse_proc_net_tcp_line(std::string_view line) {
  const auto f = fields_of(line);
  // sl local rem st tx:rx tr:when retrnsmt uid …
  if (f.size() < 8 || f[0].empty() || f[0].back() != ':') return std::nullopt;
  auto local = parse_address(f[1]);
  auto remote = parse_address(f[2]);
  if (!local || !remote || local->size != remote->size) return std::nullopt;
  ProcNetTcpEntry e{*local, *remote, 0};
  if (!parse_number(f[7], e.uid, 10)) return std::nullopt;
  return e;
}

std::optional<std::uint32_t> find_tcp_socket_owner(std::string_view table, const TcpAddress& local,
                                                   const TcpAddress& remote) {
  while (!table.empty()) {
    const auto nl = table.find('\n');
    const std::string_view line = table.substr(0, nl);
    table = nl == std::string_view::npos ? std::string_view{} : table.substr(nl + 1);
    auto entry = parse_proc_net_tcp_line(line);
    if (entry && entry->local == local && entry->remote == remote) return entry->uid;
  }
  return std::nullopt;
}

}  // namespace bqb
