# Sourced by the completion tests: complete_line drives bqbroker's bash completion as bash does.
# Needs $completion (the completion file) and $work (a scratch directory).

# complete_line PATH LINE: prints COMPREPLY for the cursor at the end of LINE, sorted, one a
# line, running the function `complete -p bqbroker` names in a bash without startup files, with
# PATH as given; the completion's stderr goes to $work/stderr.
complete_line() {
  PATH=$1 LINE=$2 /bin/bash --norc --noprofile -c '
    source "$0" || exit 1
    spec=$(complete -p bqbroker) || exit 1
    function=${spec#*-F }; function=${function%% *}
    read -ra COMP_WORDS <<<"$LINE"
    [[ $LINE == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE=$LINE COMP_POINT=${#LINE}
    "$function" bqbroker "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort' "$completion" 2>"$work/stderr"
}
