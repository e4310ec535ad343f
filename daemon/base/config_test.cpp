#include "daemon/base/config.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace bqb {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

constexpr std::string_view kSource = "/home/u/.config/bqbroker/config.toml";

Config parse_ok(std::string_view text) {
  auto c = parse_config(text, kSource);
  EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
  return c ? *c : Config{};
}

Error parse_err(std::string_view text, std::string_view source = kSource) {
  auto c = parse_config(text, source);
  EXPECT_FALSE(c.has_value()) << "parsed:\n" << text;
  if (c) return {};
  EXPECT_EQ(c.error().code, Errc::config_invalid);
  return c.error();
}

TEST(ParseConfig, EmptyTextGivesTheDocumentedDefaults) {
  Config c = parse_ok("");
  EXPECT_FALSE(c.client_secrets);
  EXPECT_EQ(c.store, StoreKind::secret_service);
  EXPECT_FALSE(c.default_project);
  EXPECT_FALSE(c.quota_project);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_FALSE(c.oauth.scopes);
  EXPECT_EQ(c.oauth.revoke_uri, "https://oauth2.googleapis.com/revoke");
  EXPECT_EQ(c.oauth.redirect_port, 0);
  EXPECT_EQ(c.oauth.login_timeout, std::chrono::seconds(300));
  EXPECT_EQ(c.oauth.request_timeout, std::chrono::seconds(15));
  EXPECT_EQ(c.bigquery.endpoint, "https://bigquery.googleapis.com");
  EXPECT_EQ(c.bigquery.request_timeout, std::chrono::seconds(60));
  EXPECT_EQ(c.tokens.refresh_margin, std::chrono::seconds(300));
  EXPECT_FALSE(c.metadata.listen);
  EXPECT_FALSE(c.tls.ca_file);
  EXPECT_EQ(c.server.request_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c.server.max_connections, 4096u);
  EXPECT_EQ(c.server.shutdown_grace, std::chrono::seconds(10));
  EXPECT_TRUE(c.notifications.enabled);
  EXPECT_EQ(c.notifications.grace, std::chrono::seconds(300));
}

TEST(ParseConfig, NotificationsCanBeTurnedOffAndTheirGraceSet) {
  Config c = parse_ok("[notifications]\nenabled = false\ngrace_seconds = 0\n");
  EXPECT_FALSE(c.notifications.enabled);
  EXPECT_EQ(c.notifications.grace, std::chrono::seconds(0));
  EXPECT_EQ(parse_ok("[notifications]\ngrace_seconds = 86400").notifications.grace,
            std::chrono::seconds(86400));
  EXPECT_THAT(parse_err("[notifications]\nenabled = 'no'").message,
              HasSubstr(fmt::format("wrong type for 'notifications.enabled' in {} line 2: "
                                    "expected a boolean (true or false), got a string",
                                    kSource)));
  EXPECT_THAT(parse_err("[notifications]\ngrace_seconds = 86401").message,
              HasSubstr(fmt::format("'notifications.grace_seconds' in {} line 2: must be between "
                                    "0 and 86400, got 86401",
                                    kSource)));
  EXPECT_THAT(parse_err("[tokens]\ngrace_seconds = 5").hint,
              HasSubstr("did you mean 'notifications.grace_seconds'?"));
}

TEST(ParseConfig, CommentsAndEmptyTablesKeepDefaults) {
  Config c = parse_ok("# nothing set\n[oauth]\n[server]\n");
  EXPECT_EQ(c.server.max_connections, 4096u);
  EXPECT_FALSE(c.oauth.scopes);
}

TEST(ParseConfig, ReadsEveryKey) {
  Config c = parse_ok(R"(
client_secrets = "/home/u/secrets/client_secret.json"
store = "file"
default_project = "my-project"
quota_project = "billing-project"
log_level = "debug"

[oauth]
scopes = ["https://www.googleapis.com/auth/bigquery", "cloud-platform"]
revoke_uri = "http://127.0.0.1:8080/revoke"
redirect_port = 8085
login_timeout_seconds = 120
request_timeout_seconds = 4

[bigquery]
endpoint = "http://localhost:9050"
request_timeout_seconds = 7

[tokens]
refresh_margin_seconds = 600

[metadata]
listen = "127.0.0.1:8181"

[tls]
ca_file = "/etc/ssl/private-ca.pem"

[server]
request_timeout_seconds = 5
max_connections = 100
shutdown_grace_seconds = 0
)");
  EXPECT_EQ(c.client_secrets, std::filesystem::path("/home/u/secrets/client_secret.json"));
  EXPECT_EQ(c.store, StoreKind::file);
  EXPECT_EQ(c.default_project, "my-project");
  EXPECT_EQ(c.quota_project, "billing-project");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.oauth.scopes, (std::vector<std::string>{"https://www.googleapis.com/auth/bigquery",
                                                      "cloud-platform"}));
  EXPECT_EQ(c.oauth.revoke_uri, "http://127.0.0.1:8080/revoke");
  EXPECT_EQ(c.oauth.redirect_port, 8085);
  EXPECT_EQ(c.oauth.login_timeout, std::chrono::seconds(120));
  EXPECT_EQ(c.oauth.request_timeout, std::chrono::seconds(4));
  EXPECT_EQ(c.bigquery.endpoint, "http://localhost:9050");
  EXPECT_EQ(c.bigquery.request_timeout, std::chrono::seconds(7));
  EXPECT_EQ(c.tokens.refresh_margin, std::chrono::seconds(600));
  EXPECT_EQ(c.metadata.listen, (ListenAddress{"127.0.0.1", 8181}));
  EXPECT_EQ(c.tls.ca_file, std::filesystem::path("/etc/ssl/private-ca.pem"));
  EXPECT_EQ(c.server.request_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c.server.max_connections, 100u);
  EXPECT_EQ(c.server.shutdown_grace, std::chrono::seconds(0));
}

TEST(ParseConfig, DottedKeysAndInlineTablesAreTheSameKeys) {
  Config c = parse_ok("tokens.refresh_margin_seconds = 60\nserver = { max_connections = 7 }\n");
  EXPECT_EQ(c.tokens.refresh_margin, std::chrono::seconds(60));
  EXPECT_EQ(c.server.max_connections, 7u);
}

TEST(ParseConfig, EveryStoreAndLogLevelIsAccepted) {
  EXPECT_EQ(parse_ok("store = 'secret-service'").store, StoreKind::secret_service);
  EXPECT_EQ(parse_ok("store = 'file'").store, StoreKind::file);
  EXPECT_EQ(parse_ok("store = 'memory'").store, StoreKind::memory);
  for (std::string_view level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    EXPECT_EQ(parse_ok(fmt::format("log_level = '{}'", level)).log_level, level);
  }
  EXPECT_EQ(to_string(StoreKind::secret_service), "secret-service");
  EXPECT_EQ(to_string(StoreKind::memory), "memory");
}

TEST(ParseConfig, SyntaxErrorNamesSourceLineAndColumn) {
  Error e = parse_err("store = 'file'\nlog_level = \n");
  EXPECT_THAT(e.message,
              AllOf(HasSubstr("TOML syntax error"), HasSubstr(kSource), HasSubstr("line 2")));
}

TEST(ParseConfig, DuplicateKeyIsASyntaxError) {
  Error e = parse_err("store = 'file'\nstore = 'memory'\n");
  EXPECT_THAT(e.message, AllOf(HasSubstr("TOML syntax error"), HasSubstr("line 2")));
}

TEST(ParseConfig, UnknownKeyInATableNamesTheFullKeySourceAndLine) {
  Error e = parse_err("[tokens]\n\nrefresh_margin = 10\n");
  EXPECT_EQ(e.message, fmt::format("unknown key 'tokens.refresh_margin' in {} line 3", kSource));
}

TEST(ParseConfig, UnknownTopLevelKeyAndTable) {
  EXPECT_THAT(parse_err("stroe = 'file'").message,
              HasSubstr("unknown key 'stroe' in /home/u/.config/bqbroker/config.toml line 1"));
  EXPECT_THAT(parse_err("store = 'file'\n[oauth2]\nscopes = []\n").message,
              HasSubstr("unknown table 'oauth2'"));
  EXPECT_THAT(parse_err("[bigquery.extra]\nx = 1\n").message,
              HasSubstr("unknown table 'bigquery.extra'"));
}

TEST(ParseConfig, KeyInTheWrongTableSuggestsTheRightOne) {
  Error e = parse_err("scopes = ['openid']\n");
  EXPECT_THAT(e.message, HasSubstr("unknown key 'scopes'"));
  EXPECT_THAT(e.hint, HasSubstr("did you mean 'oauth.scopes'?"));
  e = parse_err("[server]\nendpoint = 'https://x.test'\n");
  EXPECT_THAT(e.message, HasSubstr("unknown key 'server.endpoint'"));
  EXPECT_THAT(e.hint, HasSubstr("'bigquery.endpoint'"));
}

TEST(ParseConfig, QuotedKeyWithADotIsNotTheTableKey) {
  // "oauth.scopes" quoted is one key named with a dot, not [oauth] scopes: it must not pass.
  EXPECT_THAT(parse_err("\"oauth.scopes\" = ['openid']\n").message,
              HasSubstr("unknown key 'oauth.scopes'"));
}

TEST(ParseConfig, KnownTableGivenAsAnotherType) {
  EXPECT_THAT(parse_err("oauth = 3\n").message,
              HasSubstr("wrong type for 'oauth' in /home/u/.config/bqbroker/config.toml line 1: "
                        "expected a table, got an integer"));
  EXPECT_THAT(parse_err("[[server]]\nmax_connections = 1\n").message,
              HasSubstr("wrong type for 'server'"));
}

TEST(ParseConfig, WrongTypesNameKeySourceLineAndBothTypes) {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  for (const Case& c : {
           Case{"\nstore = 1",
                "wrong type for 'store' in {} line 2: expected a string, got an "
                "integer"},
           Case{"client_secrets = true",
                "wrong type for 'client_secrets' in {} line 1: expected "
                "a string, got a boolean"},
           Case{"default_project = 1.5",
                "'default_project' in {} line 1: expected a string, got "
                "a floating-point number"},
           Case{"quota_project = []",
                "'quota_project' in {} line 1: expected a string, got an "
                "array"},
           Case{"log_level = 2", "'log_level' in {} line 1: expected a string"},
           Case{"[oauth]\nscopes = 'openid'",
                "'oauth.scopes' in {} line 2: expected an array of "
                "strings, got a string"},
           Case{"[oauth]\nscopes = ['openid', 3]",
                "'oauth.scopes' in {} line 2: expected an "
                "array of strings, got an integer"},
           Case{"[oauth]\nrevoke_uri = 1", "'oauth.revoke_uri' in {} line 2: expected a string"},
           Case{"[oauth]\nredirect_port = '8080'",
                "'oauth.redirect_port' in {} line 2: expected "
                "an integer, got a string"},
           Case{"[oauth]\nlogin_timeout_seconds = 30.0",
                "'oauth.login_timeout_seconds' in {} "
                "line 2: expected an integer"},
           Case{"[bigquery]\nendpoint = {}",
                "'bigquery.endpoint' in {} line 2: expected a "
                "string, got a table"},
           Case{"[tokens]\nrefresh_margin_seconds = '5m'",
                "'tokens.refresh_margin_seconds' in "
                "{} line 2: expected an integer"},
           Case{"[metadata]\nlisten = 8181", "'metadata.listen' in {} line 2: expected a string"},
           Case{"[tls]\nca_file = 1979-05-27",
                "'tls.ca_file' in {} line 2: expected a string, "
                "got a date"},
           Case{"[server]\nrequest_timeout_seconds = true",
                "'server.request_timeout_seconds' in "
                "{} line 2: expected an integer"},
           Case{"[server]\nmax_connections = '10'",
                "'server.max_connections' in {} line 2: "
                "expected an integer"},
           Case{"[server]\nshutdown_grace_seconds = 1.0",
                "'server.shutdown_grace_seconds' in {} "
                "line 2: expected an integer"},
       }) {
    Error e = parse_err(c.text);
    EXPECT_THAT(e.message, HasSubstr(fmt::format(fmt::runtime(c.message), kSource))) << c.text;
    EXPECT_FALSE(e.hint.empty());
  }
}

TEST(ParseConfig, OutOfRangeIntegersNameKeyLineAndRange) {
  struct Case {
    std::string_view text;
    std::string_view message;
  };
  for (const Case& c : {
           Case{"[oauth]\nredirect_port = -1",
                "'oauth.redirect_port' in {} line 2: must be "
                "between 0 and 65535, got -1"},
           Case{"[oauth]\nredirect_port = 65536", "between 0 and 65535, got 65536"},
           Case{"[oauth]\nlogin_timeout_seconds = 0",
                "'oauth.login_timeout_seconds' in {} line "
                "2: must be between 10 and 3600, got 0"},
           Case{"[tokens]\nrefresh_margin_seconds = -5",
                "'tokens.refresh_margin_seconds' in {} "
                "line 2: must be between 0 and 1800"},
           Case{"[tokens]\nrefresh_margin_seconds = 3600",
                "must be between 0 and 1800, got "
                "3600"},
           Case{"[server]\nrequest_timeout_seconds = 0",
                "'server.request_timeout_seconds' in {} "
                "line 2: must be between 1 and 3600"},
           Case{"[server]\nmax_connections = 0",
                "invalid value for 'server.max_connections' in "
                "{} line 2: must be between 1 and 1048576, got "
                "0"},
           Case{"[server]\nshutdown_grace_seconds = -1",
                "'server.shutdown_grace_seconds' in {} "
                "line 2: must be between 0 and 600"},
       }) {
    EXPECT_THAT(parse_err(c.text).message, HasSubstr(fmt::format(fmt::runtime(c.message), kSource)))
        << c.text;
  }
}

TEST(ParseConfig, RangeBoundariesAreAccepted) {
  EXPECT_EQ(parse_ok("[oauth]\nredirect_port = 65535").oauth.redirect_port, 65535);
  EXPECT_EQ(parse_ok("[server]\nmax_connections = 1").server.max_connections, 1u);
  EXPECT_EQ(parse_ok("[tokens]\nrefresh_margin_seconds = 0").tokens.refresh_margin,
            std::chrono::seconds(0));
}

TEST(ParseConfig, InvalidChoicesListTheAllowedValues) {
  EXPECT_THAT(parse_err("store = 'keyring'").message,
              HasSubstr("invalid value for 'store' in /home/u/.config/bqbroker/config.toml line 1: "
                        "'keyring' is not one of secret-service, file, memory"));
  EXPECT_THAT(parse_err("log_level = 'verbose'").message,
              HasSubstr("'verbose' is not one of trace, debug, info, warn, error, critical, off"));
  EXPECT_THAT(parse_err("log_level = 'INFO'").message, HasSubstr("'INFO' is not one of"));
}

TEST(ParseConfig, EmptyStringsAreRefused) {
  for (std::string_view key :
       {"client_secrets", "store", "default_project", "quota_project", "log_level"}) {
    EXPECT_THAT(parse_err(fmt::format("{} = ''", key)).message,
                HasSubstr(fmt::format("'{}' in {} line 1: must not be empty", key, kSource)));
  }
  EXPECT_THAT(parse_err("[tls]\nca_file = ''").message, HasSubstr("must not be empty"));
}

TEST(ParseConfig, ProjectIdsWithSpacesAreRefused) {
  EXPECT_THAT(parse_err("default_project = 'My Project'").message,
              HasSubstr("'default_project' in /home/u/.config/bqbroker/config.toml line 1: "
                        "'My Project' is not a project id"));
  EXPECT_THAT(parse_err("quota_project = \"p\\t\"").message, HasSubstr("is not a project id"));
  EXPECT_EQ(parse_ok("default_project = 'example.com:my-proj'").default_project,
            "example.com:my-proj");
}

TEST(ParseConfig, RelativePathsAreTakenFromTheConfigFilesDirectory) {
  Config c = parse_ok("client_secrets = 'client.json'\n[tls]\nca_file = '../ca/root.pem'\n");
  EXPECT_EQ(c.client_secrets, std::filesystem::path("/home/u/.config/bqbroker/client.json"));
  EXPECT_EQ(c.tls.ca_file, std::filesystem::path("/home/u/.config/ca/root.pem"));
}

TEST(ParseConfig, RelativePathsNeedAnAbsoluteSource) {
  EXPECT_THAT(parse_err("client_secrets = 'client.json'", "<test>").message,
              HasSubstr("invalid value for 'client_secrets' in <test> line 1: 'client.json' must "
                        "be an absolute path"));
  EXPECT_EQ(parse_config("client_secrets = '/a/b.json'", "<test>")->client_secrets,
            std::filesystem::path("/a/b.json"));
}

TEST(ParseConfig, TildeIsRefusedRatherThanTakenLiterally) {
  EXPECT_THAT(parse_err("client_secrets = '~/Downloads/c.json'").message,
              HasSubstr("'~' is not expanded"));
  EXPECT_THAT(parse_err("[tls]\nca_file = '~/ca.pem'").message,
              HasSubstr("'tls.ca_file' in /home/u/.config/bqbroker/config.toml line 2"));
}

TEST(ParseConfig, ScopesMustBeANonEmptyListOfSingleScopes) {
  EXPECT_THAT(parse_err("[oauth]\nscopes = []").message,
              HasSubstr("'oauth.scopes' in /home/u/.config/bqbroker/config.toml line 2: must not "
                        "be empty"));
  EXPECT_THAT(parse_err("[oauth]\nscopes = [\n  'openid',\n  'email profile',\n]").message,
              HasSubstr("line 4: 'email profile' is not a scope"));
  EXPECT_THAT(parse_err("[oauth]\nscopes = ['']").message, HasSubstr("'' is not a scope"));
}

TEST(ParseConfig, BigQueryEndpointIsSchemeHostAndPortOnly) {
  EXPECT_EQ(parse_ok("[bigquery]\nendpoint = 'https://bq.example.test:8443'").bigquery.endpoint,
            "https://bq.example.test:8443");
  // A lone trailing slash is harmless and dropped, so that appending /bigquery/v2 stays right.
  EXPECT_EQ(parse_ok("[bigquery]\nendpoint = 'http://127.0.0.1:9050/'").bigquery.endpoint,
            "http://127.0.0.1:9050");
  EXPECT_EQ(parse_ok("[bigquery]\nendpoint = 'http://[::1]:9050'").bigquery.endpoint,
            "http://[::1]:9050");

  struct Case {
    std::string_view endpoint;
    std::string_view problem;
  };
  for (const Case& c : {
           Case{"https://bigquery.googleapis.com/bigquery/v2", "without a path or query"},
           Case{"https://bq.example.test/?x=1", "without a path or query"},
           Case{"https://bq.example.test#frag", "must not have a #fragment"},
           Case{"ftp://bq.example.test", "must be an http:// or https:// URL"},
           Case{"bigquery.googleapis.com", "is not a URL"},
           Case{"localhost:9050", "must be an http:// or https:// URL"},
           Case{"https://user:pw@bq.example.test", "must not contain user info"},
           Case{"http://bq.example.test:9050", "plain http is allowed only to loopback"},
           Case{"http://10.0.0.1:9050", "plain http is allowed only to loopback"},
           Case{"https:///path", "must name a host"},
       }) {
    Error e = parse_err(fmt::format("[bigquery]\nendpoint = '{}'", c.endpoint));
    EXPECT_THAT(e.message, HasSubstr(fmt::format("invalid value for 'bigquery.endpoint' in {} "
                                                 "line 2: '{}'",
                                                 kSource, c.endpoint)))
        << c.endpoint;
    EXPECT_THAT(e.message, HasSubstr(c.problem)) << c.endpoint;
  }
}

TEST(ParseConfig, RevokeUriIsAnHttpsUrlWithAnyPath) {
  EXPECT_EQ(
      parse_ok("[oauth]\nrevoke_uri = 'https://oauth.example.test/o/revoke?x=1'").oauth.revoke_uri,
      "https://oauth.example.test/o/revoke?x=1");
  EXPECT_THAT(parse_err("[oauth]\nrevoke_uri = 'http://oauth.example.test/revoke'").message,
              AllOf(HasSubstr("'oauth.revoke_uri'"), HasSubstr("only to loopback")));
  EXPECT_THAT(parse_err("[oauth]\nrevoke_uri = 'revoke'").message, HasSubstr("is not a URL"));
}

TEST(ParseConfig, MetadataListenMustBeALoopbackAddressWithAPort) {
  EXPECT_EQ(parse_ok("[metadata]\nlisten = '127.0.0.2:80'").metadata.listen,
            (ListenAddress{"127.0.0.2", 80}));
  EXPECT_EQ(parse_ok("[metadata]\nlisten = '[::1]:8181'").metadata.listen,
            (ListenAddress{"::1", 8181}));

  struct Case {
    std::string_view listen;
    std::string_view problem;
  };
  for (const Case& c : {
           Case{"0.0.0.0:8181", "must be a loopback IP address"},
           Case{"192.168.1.5:8181", "must be a loopback IP address"},
           Case{"[::]:8181", "must be a loopback IP address"},
           Case{"localhost:8181", "must be a loopback IP address"},
           Case{"127.0.0.1", "must be IP:PORT"},
           Case{"127.0.0.1:", "must have a port between 1 and 65535"},
           Case{"127.0.0.1:0", "must have a port between 1 and 65535"},
           Case{"127.0.0.1:65536", "must have a port between 1 and 65535"},
           Case{"u@127.0.0.1:80", "must be IP:PORT"},
           Case{"http://127.0.0.1:80", "must be IP:PORT"},
       }) {
    Error e = parse_err(fmt::format("[metadata]\nlisten = '{}'", c.listen));
    EXPECT_THAT(e.message, AllOf(HasSubstr("invalid value for 'metadata.listen'"),
                                 HasSubstr("line 2"), HasSubstr(c.problem)))
        << c.listen;
  }
}

TEST(ParseConfig, UnknownKeysAreReportedBeforeBadValues) {
  // A typo'd key may be why another value looks wrong, so it is the one reported.
  Error e = parse_err("store = 'nope'\ntypo = 1\n");
  EXPECT_THAT(e.message, HasSubstr("unknown key 'typo'"));
}

}  // namespace

TEST(ParseConfig, NumericProjectIdIsDigitsBesideDefaultProject) {
  auto c = parse_ok("default_project = 'p'\n[metadata]\nnumeric_project_id = '123456789012'");
  EXPECT_EQ(c.metadata.numeric_project_id, "123456789012");
  EXPECT_FALSE(parse_ok("default_project = 'p'").metadata.numeric_project_id);
  for (std::string_view bad : {"'12a'", "'-1'", "' 12'", "'12345678901234567890'", "'1.5'"}) {
    EXPECT_THAT(
        parse_err(fmt::format("default_project = 'p'\n[metadata]\nnumeric_project_id = {}", bad))
            .message,
        HasSubstr("'metadata.numeric_project_id' in /home/u/.config/bqbroker/config.toml "
                  "line 3: "))
        << bad;
    EXPECT_THAT(
        parse_err(fmt::format("default_project = 'p'\n[metadata]\nnumeric_project_id = {}", bad))
            .message,
        HasSubstr("is not a project number: 1 to 19 digits"))
        << bad;
  }
  EXPECT_THAT(parse_err("[metadata]\nnumeric_project_id = 123456789012").message,
              HasSubstr("expected a string"));
  EXPECT_THAT(parse_err("[metadata]\nnumeric_project_id = '123456789012'").message,
              HasSubstr("needs default_project"));
}

}  // namespace bqb
