# bash completion for qwinsta                              -*- shell-script -*-
# Generated from the switch table (src/cli/table.rs): do not edit.
# Made anew by: LOGOFF_REGENERATE=1 cargo test --lib cli::generate

# The kind of value a switch name takes (any letter case).
_qwinsta_kind() {
    case ${1,,} in
    server) echo hosts ;;
    connect-timeout|connecttimeout|parallel|backend) echo none ;;
    esac
}

# Values of a kind, each after $2 (the switch and its separator, or nothing).
_qwinsta_values() {
    local kind=$1 before=$2 value=$3 head=
    case $kind in
    hosts)
        if [[ $value == @* ]]; then
            compopt -o filenames
            local IFS=$'\n'
            COMPREPLY=($(compgen -P "$before@" -f -- "${value#@}"))
        else
            [[ $value == *,* ]] && head=${value%,*},
            _known_hosts_real -p "$before$head" -- "${value##*,}"
        fi
        ;;
    users) COMPREPLY=($(compgen -P "$before" -u -- "$value")) ;;
    esac
}

_qwinsta() {
    local cur prev words cword
    _init_completion -n =:@ || return
    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${words[i]} == -- ]] && return # only the positional argument after --
    done
    local kind candidates=() c
    if [[ $prev == --* && $prev != *[:=]* ]]; then
        kind=$(_qwinsta_kind "${prev#--}")
    fi
    if [[ -n $kind ]]; then
        _qwinsta_values "$kind" "" "$cur"
    elif [[ $cur == [-/]*[:=]* ]]; then
        local switch=${cur%%[:=]*}
        local sep=${cur:${#switch}:1} name=${switch#--}
        kind=$(_qwinsta_kind "${name#[-/]}")
        _qwinsta_values "$kind" "$switch$sep" "${cur#*[:=]}"
    else
        if [[ $cur == -* ]]; then
            candidates=('--server=' '--json' '--connect-timeout=' '--parallel=' '--backend=' '--help' '--version')
        else
            candidates=('/server:' '/json' '/connect-timeout:' '/parallel:' '/backend:' '/?' '/version')
        fi
        for c in "${candidates[@]}"; do
            [[ ${c,,} == "${cur,,}"* ]] && COMPREPLY+=("$c")
        done
        if [[ ${#COMPREPLY[@]} -eq 0 && $cur == /* ]]; then
            COMPREPLY=($(compgen -f -- "$cur")) # a terminal given as a path: /dev/pts/3
        elif [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *[:=] ]]; then
            compopt -o nospace
        fi
    fi
    # Readline replaces only what follows the last word break (: = @) in the word.
    local breaks= b
    for b in = : @; do
        [[ $COMP_WORDBREAKS == *"$b"* ]] && breaks+=$b
    done
    if [[ -n $breaks && $cur == *["$breaks"]* ]]; then
        local cut=${cur%"${cur##*["$breaks"]}"}
        COMPREPLY=("${COMPREPLY[@]#"$cut"}")
    fi
} &&
    complete -F _qwinsta qwinsta
