#!/usr/bin/ruby
# Debian's ruby-googleauth (0.13) finding Application Default Credentials and querying BigQuery
# the way a Ruby program on GCE does.
#
# Run under `bqbroker exec -- /usr/bin/ruby ruby_googleauth_query.rb BIGQUERY_BASE PROJECT SQL`.
#
# The one change, and why: googleauth 0.13 reads no environment variable for the metadata server.
# Its three URIs are constants of Google::Auth::GCECredentials (compute_engine.rb):
# COMPUTE_CHECK_URI ("http://169.254.169.254", the "am I on GCE" probe), COMPUTE_AUTH_TOKEN_URI
# and COMPUTE_ID_TOKEN_URI. Later releases reach the metadata server through google-cloud-env,
# which honours GCE_METADATA_HOST from its 1.4.0 (2020-10-12). So this program
# re-points those constants at GCE_METADATA_HOST (which exec sets), keeping each URI's path, and
# then uses the library as it is: get_application_default's detection, GCECredentials' token
# fetch and parsing, and Signet's apply for the Authorization header.
#
# Prints one JSON object: the library's file and version, the credentials class it chose, the
# token's 10-character prefix and SHA-256 (never the token), its expiry, and the query's schema,
# rows (INTEGER as Integer, NUMERIC as BigDecimal's digits, TIMESTAMP as Time's RFC 3339 µs text)
# and the Ruby class of each column's values. Exits 1 with the error on stderr when a step
# fails, 2 on wrong arguments or when GCE_METADATA_HOST is not set.

require "bigdecimal"
require "digest"
require "json"
require "time"

def usage_error(message)
  warn "ruby_googleauth_query.rb: #{message}"
  exit 2
end

usage_error "usage: BIGQUERY_BASE PROJECT SQL (under bqbroker exec)" unless ARGV.size == 3
host = ENV["GCE_METADATA_HOST"]
usage_error "GCE_METADATA_HOST is not set; run under bqbroker exec" if host.to_s.empty?

require "googleauth"
require "googleauth/version"

# 0.13's fixed metadata address, replaced by exec's; a library that no longer has it is a change
# this test must hear of.
GCE_FIXED = "http://169.254.169.254".freeze
klass = Google::Auth::GCECredentials
%i[COMPUTE_CHECK_URI COMPUTE_AUTH_TOKEN_URI COMPUTE_ID_TOKEN_URI].each do |name|
  old = klass.const_get(name)
  raise "#{name} is #{old}, not under #{GCE_FIXED}" unless old.start_with?(GCE_FIXED)

  klass.send(:remove_const, name)
  klass.const_set(name, old.sub(GCE_FIXED, "http://#{host}").freeze)
end

# A cell's REST text as the Ruby value a BigQuery client makes of it.
def typed_value(type, text)
  return nil if text.nil?

  case type
  when "INTEGER", "INT64" then Integer(text, 10)
  when "NUMERIC", "BIGNUMERIC" then BigDecimal(text)
  when "TIMESTAMP" then Time.at(Rational(Integer(text, 10), 1_000_000)).utc
  when "FLOAT", "FLOAT64" then Float(text)
  when "BOOLEAN", "BOOL" then text == "true"
  else text
  end
end

# JSON keeps Integer and String; BigDecimal and Time are printed as their exact text.
def printable(value)
  case value
  when BigDecimal then value.to_s("F")
  when Time then value.iso8601(6)
  else value
  end
end

# jobs.query with the Authorization header the library's credentials put on (Signet's apply).
def query(credentials, base, project, sql)
  headers = credentials.apply("Content-Type" => "application/json")
  body = { query: sql, useLegacySql: false,
           formatOptions: { useInt64Timestamp: true } } # µs, exact
  response = Faraday.post("#{base}/bigquery/v2/projects/#{project}/queries", body.to_json,
                          headers)
  raise "jobs.query answered #{response.status}: #{response.body}" unless response.status == 200

  answer = JSON.parse(response.body)
  raise "jobs.query did not complete: #{answer}" unless answer["jobComplete"]

  fields = answer.dig("schema", "fields")
  types = {}
  rows = (answer["rows"] || []).map do |row|
    fields.each_with_index.to_h do |field, i|
      value = typed_value(field["type"], row["f"][i]["v"])
      types[field["name"]] = value.class.name unless value.nil?
      [field["name"], printable(value)]
    end
  end
  { schema: fields, rows: rows, types: types }
end

begin
  base, project, sql = ARGV
  credentials = Google::Auth.get_application_default
  credentials.fetch_access_token!
  token = credentials.access_token.to_s
  puts JSON.generate(
    library_file: $LOADED_FEATURES.find { |f| f.end_with?("/googleauth/compute_engine.rb") },
    library_version: Google::Auth::VERSION,
    credentials: credentials.class.name,
    token_prefix: token[0, 10],
    token_sha256: Digest::SHA256.hexdigest(token),
    expiry: credentials.expires_at&.utc&.iso8601,
    query: query(credentials, base, project, sql)
  )
rescue StandardError => e # the library's errors are the test's message
  warn "ruby_googleauth_query.rb: #{e.class}: #{e.message}"
  exit 1
end
