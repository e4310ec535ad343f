#include "daemon/base/logging.h"

#include <cstdio>
#include <mutex>
#include <string>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "daemon/base/redact.h"

namespace bqb {
namespace {

// Formats, redacts, then writes the whole line with one fwrite.
class RedactingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string line =
        Redactor::global().apply(std::string_view(formatted.data(), formatted.size()));
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

Status init_logging(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  // from_str maps unknown names to "off": only accept "off" when it was asked for.
  if (lvl == spdlog::level::off && level != "off") {
    return fail(Errc::bad_request, "unknown log level '" + std::string(level) + "'",
                "use one of: trace, debug, info, warn, error, critical, off");
  }
  auto logger =
      std::make_shared<spdlog::logger>("bqbrokerd", std::make_shared<RedactingStderrSink>());
  // Under systemd, journald adds its own timestamps; the level prefix stays.
  logger->set_pattern(std::getenv("JOURNAL_STREAM") ? "<%l> %v" : "%Y-%m-%dT%H:%M:%S.%e %l %v");
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  return {};
}

}  // namespace bqb
