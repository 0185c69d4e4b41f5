# fish completion for quser
# Generated from the switch table (src/cli/table.rs): do not edit.
# Made anew by: LOGOFF_REGENERATE=1 cargo test --lib cli::generate

# The kind of value a switch name takes (any letter case).
function __quser_kind
    switch (string lower -- $argv[1])
        case server
            echo hosts
        case connect-timeout connecttimeout parallel backend
            echo none
    end
end

# Values of kind $argv[1], each after $argv[2] (the switch and its separator, or nothing).
function __quser_values
    set -l before $argv[2]
    set -l value $argv[3]
    switch $argv[1]
        case hosts
            if string match -q -- '@*' $value
                for path in (__fish_complete_path (string sub -s 2 -- $value))
                    printf '%s@%s\n' $before $path
                end
            else
                set -l head (string match -r -- '^.*,' $value)
                for host in (__fish_print_hostnames)
                    printf '%s%s%s\n' $before "$head" $host
                end
            end
        case users
            for user in (__fish_complete_users)
                printf '%s%s\n' $before $user
            end
    end
end

function __quser_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    # Only the positional argument after --.
    contains -- -- $tokens[2..-1]; and return
    set -l prev $tokens[-1]
    if string match -q -- '--*' $prev; and not string match -q -- '*[:=]*' $prev
        set -l kind (__quser_kind (string sub -s 3 -- $prev))
        if test -n "$kind"
            __quser_values $kind '' $cur
            return
        end
    end
    if string match -q -r -- '^[-/][^:=]*[:=]' $cur
        set -l switch (string replace -r -- '[:=].*' '' $cur)
        set -l sep (string sub -s (math (string length -- $switch) + 1) -l 1 -- $cur)
        set -l value (string sub -s (math (string length -- $switch) + 2) -- $cur)
        __quser_values (__quser_kind (string replace -r -- '^(--|-|/)' '' $switch)) $switch$sep "$value"
        return
    end
    if string match -q -- '-*' $cur
        printf '%s\t%s\n' \
            '--server=' 'Session host to query, reached with ssh' \
            '--json' 'Print the result as one JSON document on standard output' \
            '--connect-timeout=' 'How long to wait for a host, or any answer from its bus' \
            '--parallel=' 'Hosts handled at once' \
            '--backend=' 'Ask each host through logind, or proc ; by default logind where the host'\''s bus answers for it, else proc' \
            '--help' 'Display this help' \
            '--version' 'Display the version'
    else
        printf '%s\t%s\n' \
            '/server:' 'Session host to query, reached with ssh' \
            '/json' 'Print the result as one JSON document on standard output' \
            '/connect-timeout:' 'How long to wait for a host, or any answer from its bus' \
            '/parallel:' 'Hosts handled at once' \
            '/backend:' 'Ask each host through logind, or proc ; by default logind where the host'\''s bus answers for it, else proc' \
            '/?' 'Display this help' \
            '/version' 'Display the version'
    end
end

complete -c quser -f -a '(__quser_complete)'
