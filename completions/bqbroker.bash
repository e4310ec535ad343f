# bash completion for bqbroker(1): commands, options, option values, and the daemon's accounts.
# Installed as share/bash-completion/completions/bqbroker (loaded on first use by
# bash-completion); works without bash-completion too: `source` this file.

# Short scope names the CLI expands to https://www.googleapis.com/auth/NAME (any NAME works;
# these are the ones used with BigQuery), plus Google's aliases email, profile and openid.
_bqbroker_scopes="bigquery bigquery.readonly bigquery.insertdata cloud-platform
cloud-platform.read-only devstorage.read_only devstorage.read_write drive.readonly email profile
openid"

# Prints the signed-in accounts' emails, one a line, asked from the daemon (through the same
# --socket as the command line). No daemon, or any failure: prints nothing, on stdout or stderr.
_bqbroker_emails() {
  local -a socket=()
  local i
  for ((i = 1; i < COMP_CWORD; i++)); do
    if [[ ${COMP_WORDS[i]} == --socket ]]; then
      socket=(--socket "${COMP_WORDS[i + 1]}")
    elif [[ ${COMP_WORDS[i]} == --socket=* ]]; then
      socket=("${COMP_WORDS[i]}")
    fi
  done
  timeout 3 bqbroker "${socket[@]}" accounts --json 2>/dev/null |
    sed -n 's/^ *"email": *"\([^"]*\)".*/\1/p' 2>/dev/null
  return 0
}

_bqbroker() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local command="" sub="" i word
  COMPREPLY=()

  # The command is the first word that is not a global option (or --socket's value).
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ -z $command ]]; then
      case $word in
        --socket) ((i++)) ;;
        -*) ;;
        *) command=$word ;;
      esac
    elif [[ $command == exec && $word == -- ]]; then
      # exec's CMD: complete a program, then its arguments as files.
      if ((i == COMP_CWORD - 1)); then
        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
      else
        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      fi
      return 0
    elif [[ $command == accounts && $word == default ]]; then
      sub=default
    fi
  done

  # Option values.
  case $prev in
    --socket | --client-secrets | --import-adc)
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      return 0
      ;;
    --account | --login-hint)
      mapfile -t COMPREPLY < <(compgen -W "$(_bqbroker_emails)" -- "$cur")
      return 0
      ;;
    --scope)
      mapfile -t COMPREPLY < <(compgen -W "$_bqbroker_scopes" -- "$cur")
      return 0
      ;;
    --format)
      case $command in
        token) mapfile -t COMPREPLY < <(compgen -W "raw json header" -- "$cur") ;;
        query) mapfile -t COMPREPLY < <(compgen -W "pretty csv json ndjson" -- "$cur") ;;
      esac
      return 0
      ;;
    --max-rows)
      mapfile -t COMPREPLY < <(compgen -W "all" -- "$cur")
      return 0
      ;;
    --min-valid | --timeout | --project | --location | --param | --default-dataset | \
      --max-bytes-billed | --page-size)
      return 0  # a value to type
      ;;
  esac

  local options="--help" words=""
  case $command in
    "")
      options="--socket --version --help"
      words="login logout status accounts token exec query doctor"
      ;;
    login)
      options+=" --client-secrets --scope --no-default-scopes --login-hint --no-browser --timeout
        --import-adc"
      ;;
    logout) words=$(_bqbroker_emails) ;;
    status | doctor) options+=" --json" ;;
    accounts)
      if [[ -n $sub ]]; then
        words=$(_bqbroker_emails)
      else
        options+=" --json"
        words="default"
      fi
      ;;
    token) options+=" --account --scope --min-valid --format" ;;
    exec) options+=" --account --scope --project --" ;;
    query)
      options+=" --project --location --account --format --max-rows --dry-run --param
        --legacy-sql --default-dataset --max-bytes-billed --page-size"
      ;;
  esac
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
  else
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
  fi
  return 0
}

complete -F _bqbroker bqbroker
