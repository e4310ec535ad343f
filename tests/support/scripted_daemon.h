#pragma once
// A FakeDaemon driven by a function from request to response, recording every request: for
// command tests that script a conversation with the daemon.

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/fake_daemon.h"

namespace bqb::testing {

/// A request as the fake saw it: "METHOD /target" and the JSON body (null when none).
struct Seen {
  std::string line;
  nlohmann::json body;
};

/// A fake daemon whose `answer` maps each request to a response; it records every request.
class ScriptedDaemon {
 public:
  using Answer = std::function<std::string(const Seen&)>;
  explicit ScriptedDaemon(Answer answer)
      : answer_(std::move(answer)), daemon_([this](FakeConn& c) { serve(c); }) {}

  std::string socket() const { return daemon_.socket().string(); }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& s : seen_) out.push_back(s.line);
    return out;
  }
  Seen first(std::string_view prefix) {
    std::lock_guard lock(mu_);
    for (const auto& s : seen_) {
      if (s.line.starts_with(prefix)) return s;
    }
    return {};
  }

 private:
  void serve(FakeConn& c) {
    while (auto req = c.read_request()) {
      auto head_end = req->find("\r\n\r\n");
      std::string first_line = req->substr(0, req->find("\r\n"));
      Seen s{first_line.substr(0, first_line.rfind(' ')), nullptr};
      std::string body = req->substr(head_end + 4);
      if (!body.empty()) s.body = nlohmann::json::parse(body, nullptr, false);
      {
        std::lock_guard lock(mu_);
        seen_.push_back(s);
      }
      c.write(answer_(s));
    }
  }

  Answer answer_;
  std::mutex mu_;
  std::vector<Seen> seen_;
  FakeDaemon daemon_;  // last: its thread stops before the members it uses go
};

inline std::string ok(const nlohmann::json& body, int status = 200) {
  return http_response(status, status == 201 ? "Created" : "OK", body.dump());
}

}  // namespace bqb::testing
