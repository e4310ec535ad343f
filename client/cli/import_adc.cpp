#include "client/cli/import_adc.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <ostream>

#include "client/cli/error_text.h"
#include "client/cli/exit_codes.h"
#include "client/cli/json_file.h"
#include "client/lib/api_calls.h"
#include "proto/accounts_api.h"

namespace bqb::cli {
namespace {

/// @returns gcloud's ADC path: $CLOUDSDK_CONFIG/application_default_credentials.json, else
/// $HOME/.config/gcloud/… (gcloud ignores XDG_CONFIG_HOME).
Result<std::filesystem::path> default_adc_path() {
  constexpr const char* kName = "application_default_credentials.json";
  if (const char* dir = std::getenv("CLOUDSDK_CONFIG"); dir && *dir) {
    return std::filesystem::path(dir) / kName;
  }
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    return fail(Errc::io_error, "cannot find gcloud's credentials: $HOME is not set",
                "name the file: bqbroker login --import-adc FILE");
  }
  return std::filesystem::path(home) / ".config" / "gcloud" / kName;
}

/// @returns the first line read from `fd` (without its line end); "" at EOF.
std::string read_answer(int fd) {
  std::string line;
  char c;
  for (;;) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || c == '\n') return line;
    line.push_back(c);
  }
}

bool is_yes(std::string answer) {
  for (char& ch : answer) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return answer == "y" || answer == "yes";
}

}  // namespace

Result<int> import_adc(Context& ctx, std::string file) {
  std::filesystem::path path = file;
  if (file.empty()) {
    BQB_TRY(found, default_adc_path());
    path = std::move(found);
  }
  BQB_TRY(adc, read_json_object_file(path));
  BQB_TRY(daemon, ctx.connect());
  BQB_TRY(account, client::import_account(daemon, api::ImportAdcRequest{std::move(adc), {}}));
  ctx.out << "Imported " << account.email << "\n";
  ctx.out.flush();

  const std::string name = path.string();
  if (::isatty(ctx.in_fd) != 1) {
    ctx.err << "Note: " << name
            << " still holds the refresh token in plain text; bqbroker no longer needs it, so you "
               "can delete it.\n";
    return kExitOk;
  }
  ctx.err << "Delete the plain-text file " << name << " now? [y/N] ";
  ctx.err.flush();
  if (!is_yes(read_answer(ctx.in_fd))) {
    ctx.err << "Kept " << name << " (it still holds the refresh token in plain text).\n";
    return kExitOk;
  }
  std::error_code ec;
  if (!std::filesystem::remove(path, ec) && ec) {
    ctx.err << render_warning("cannot delete " + name + ": " + ec.message());
    return kExitFailed;
  }
  ctx.err << "Deleted " << name << "\n";
  return kExitOk;
}

}  // namespace bqb::cli
