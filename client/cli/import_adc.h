#pragma once
// bqbroker login --import-adc [FILE]: move the refresh token of gcloud's application-default
// credentials into the daemon's secret store, then offer to delete the plain-text file.

#include <string>
#include <string_view>

#include "client/cli/command.h"

namespace bqb::cli {

/// How --help shows the default ADC file.
inline constexpr std::string_view kDefaultAdcPathText =
    "~/.config/gcloud/application_default_credentials.json";

/// Sends the ADC file `file` (empty: the default, under $CLOUDSDK_CONFIG when set, else
/// ~/.config/gcloud) to POST /v1/accounts/import and prints "Imported EMAIL". When ctx.in_fd is
/// a terminal, asks whether to delete the file; otherwise says that it still holds a refresh
/// token in plain text. @returns kExitOk, or the error (naming the file when it is unreadable).
Result<int> import_adc(Context& ctx, std::string file);

}  // namespace bqb::cli
