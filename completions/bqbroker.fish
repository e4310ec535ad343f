# fish completion for bqbroker(1): commands, options, option values, and the daemon's accounts.
# Installed as share/fish/vendor_completions.d/bqbroker.fish.

set -l commands login logout status accounts token exec query doctor

# The signed-in accounts' emails, asked from the daemon (through the same --socket as the command
# line). No daemon, or any failure: no emails and no message.
function __bqbroker_emails
    set -l socket
    set -l words (commandline -opc)
    if set -l i (contains -i -- --socket $words)
        set socket --socket $words[(math $i + 1)]
    end
    timeout 3 bqbroker $socket accounts --json 2>/dev/null | string replace -rf '^\s*"email":\s*"([^"]*)".*' '$1'
end

# After `exec ... --`: whatever completes the command line that follows.
function __bqbroker_exec_command
    set -l words (commandline -opc)
    set -l i (contains -i -- -- $words)
    complete -C (string join ' ' -- $words[(math $i + 1)..-1] (commandline -ct))
end

# Short scope names the CLI expands to https://www.googleapis.com/auth/NAME, and Google's aliases
# email, profile and openid.
set -l scopes bigquery bigquery.readonly bigquery.insertdata cloud-platform \
    cloud-platform.read-only devstorage.read_only devstorage.read_write drive.readonly email \
    profile openid

complete -c bqbroker -f
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -l socket -r -F -d "The daemon's socket"
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -l version -d 'Print the versions of bqbroker and the daemon'
complete -c bqbroker -l help -d 'Print the usage'

complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -a login -d 'Sign an account in, or import gcloud ADC credentials'
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -a logout -d 'Revoke an account at Google and forget it'
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -a status -d "The daemon's version, socket, store and accounts"
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -a accounts -d 'List the accounts, or choose the default one'
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -a token -d 'Print an access token'
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -a exec -d 'Run a program with its own metadata-server endpoint'
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -a query -d 'Run a BigQuery query and print its rows'
complete -c bqbroker -n "not __fish_seen_subcommand_from $commands" -a doctor -d 'Check the setup and say how to fix it'

# login
complete -c bqbroker -n '__fish_seen_subcommand_from login' -l client-secrets -r -F -d 'client_secrets.json of a Desktop app OAuth client'
complete -c bqbroker -n '__fish_seen_subcommand_from login' -l scope -x -a "$scopes" -d 'A scope to ask for besides the defaults'
complete -c bqbroker -n '__fish_seen_subcommand_from login' -l no-default-scopes -d 'Ask only for the --scope scopes'
complete -c bqbroker -n '__fish_seen_subcommand_from login' -l login-hint -x -a '(__bqbroker_emails)' -d 'The Google account to preselect'
complete -c bqbroker -n '__fish_seen_subcommand_from login' -l no-browser -d 'Print the address instead of opening a browser'
complete -c bqbroker -n '__fish_seen_subcommand_from login' -l timeout -x -d 'Give up after this many seconds'
complete -c bqbroker -n '__fish_seen_subcommand_from login' -l import-adc -F -d 'Import gcloud application-default credentials'
# logout, accounts
complete -c bqbroker -n '__fish_seen_subcommand_from logout' -a '(__bqbroker_emails)'
complete -c bqbroker -n '__fish_seen_subcommand_from status doctor accounts' -l json -d 'Print JSON'
complete -c bqbroker -n '__fish_seen_subcommand_from accounts; and not __fish_seen_subcommand_from default' -a default -d 'Make an account the default'
complete -c bqbroker -n '__fish_seen_subcommand_from accounts; and __fish_seen_subcommand_from default' -a '(__bqbroker_emails)'
# token, exec, query
complete -c bqbroker -n '__fish_seen_subcommand_from token exec query' -l account -x -a '(__bqbroker_emails)' -d 'The account'
complete -c bqbroker -n '__fish_seen_subcommand_from token exec' -l scope -x -a "$scopes" -d 'Only these scopes'
complete -c bqbroker -n '__fish_seen_subcommand_from token' -l min-valid -x -d 'The token must stay valid this long (seconds)'
complete -c bqbroker -n '__fish_seen_subcommand_from token' -l format -x -a 'raw json header' -d 'What to print'
complete -c bqbroker -n '__fish_seen_subcommand_from exec; and contains -- -- (commandline -opc)' -x -a '(__bqbroker_exec_command)'
complete -c bqbroker -n '__fish_seen_subcommand_from exec query' -l project -x -d 'The project'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l location -x -d 'Where the job runs'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l format -x -a 'pretty csv json ndjson' -d 'How to print the rows'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l max-rows -x -a all -d 'Print at most N rows'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l dry-run -d 'Check the query without running it'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l param -x -d 'A query parameter name:TYPE:value'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l legacy-sql -d 'Use legacy SQL'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l default-dataset -x -d 'The dataset of unqualified table names'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l max-bytes-billed -x -d 'Fail rather than bill more bytes'
complete -c bqbroker -n '__fish_seen_subcommand_from query' -l page-size -x -d 'Rows per page fetched from BigQuery'
