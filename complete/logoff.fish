# fish completion for logoff
# Generated from the switch table (src/cli/table.rs): do not edit.
# Made anew by: LOGOFF_REGENERATE=1 cargo test --lib cli::generate

# The kind of value a switch name takes (any letter case).
function __logoff_kind
    switch (string lower -- $argv[1])
        case server
            echo hosts
        case user
            echo users
        case msg message delay idle state timeout connect-timeout connecttimeout parallel backend
            echo none
    end
end

# Values of kind $argv[1], each after $argv[2] (the switch and its separator, or nothing).
function __logoff_values
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

function __logoff_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    # Only the positional argument after --.
    contains -- -- $tokens[2..-1]; and return
    set -l prev $tokens[-1]
    if string match -q -- '--*' $prev; and not string match -q -- '*[:=]*' $prev
        set -l kind (__logoff_kind (string sub -s 3 -- $prev))
        if test -n "$kind"
            __logoff_values $kind '' $cur
            return
        end
    end
    if string match -q -r -- '^[-/][^:=]*[:=]' $cur
        set -l switch (string replace -r -- '[:=].*' '' $cur)
        set -l sep (string sub -s (math (string length -- $switch) + 1) -l 1 -- $cur)
        set -l value (string sub -s (math (string length -- $switch) + 2) -- $cur)
        __logoff_values (__logoff_kind (string replace -r -- '^(--|-|/)' '' $switch)) $switch$sep "$value"
        return
    end
    if string match -q -- '-*' $cur
        printf '%s\t%s\n' \
            '--server=' 'Session host that holds the session, reached with ssh' \
            '--user=' 'Every session of this user' \
            '--verbose' 'Display what is being done' \
            '--dry-run' 'Show which sessions would be logged off, with their processes, and change nothing' \
            '--json' 'Print the result as one JSON document on standard output' \
            '--message=' 'Show this text in each session before logging it off, with a countdown' \
            '--delay=' 'Seconds between the warning and the logoff ; without /msg, a default text is shown' \
            '--idle=' 'Only sessions idle at least this long' \
            '--disconnected' 'Only disconnected sessions' \
            '--state=' 'Only sessions in this state: disc' \
            '--yes' 'Do not ask before logging off several sessions' \
            '--force' 'Also log off a console session' \
            '--timeout=' 'How long to wait for the session to end before its processes are killed with SIGKILL' \
            '--connect-timeout=' 'How long to wait for a host, or any answer from its bus' \
            '--parallel=' 'Hosts handled at once' \
            '--backend=' 'Ask each host through logind, or proc ; by default logind where the host'\''s bus answers for it, else proc' \
            '--help' 'Display this help' \
            '--version' 'Display the version'
    else
        printf '%s\t%s\n' \
            '/server:' 'Session host that holds the session, reached with ssh' \
            '/user:' 'Every session of this user' \
            '/v' 'Display what is being done' \
            '/whatif' 'Show which sessions would be logged off, with their processes, and change nothing' \
            '/json' 'Print the result as one JSON document on standard output' \
            '/msg:' 'Show this text in each session before logging it off, with a countdown' \
            '/delay:' 'Seconds between the warning and the logoff ; without /msg, a default text is shown' \
            '/idle:' 'Only sessions idle at least this long' \
            '/disconnected' 'Only disconnected sessions' \
            '/state:' 'Only sessions in this state: disc' \
            '/y' 'Do not ask before logging off several sessions' \
            '/force' 'Also log off a console session' \
            '/timeout:' 'How long to wait for the session to end before its processes are killed with SIGKILL' \
            '/connect-timeout:' 'How long to wait for a host, or any answer from its bus' \
            '/parallel:' 'Hosts handled at once' \
            '/backend:' 'Ask each host through logind, or proc ; by default logind where the host'\''s bus answers for it, else proc' \
            '/?' 'Display this help' \
            '/version' 'Display the version'
    end
end

complete -c logoff -f -a '(__logoff_complete)'
