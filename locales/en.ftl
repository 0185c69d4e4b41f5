# logoff — English messages (the reference catalog; es.ftl and zh-CN.ftl carry the same ids).

# The help (/?) and usage, put together from the switch table (src/cli/table.rs).
help-usage = Usage: { $synopsis }
help-intro =
    Logs a user off a session on a session host and deletes the session: every
    process of the session ends and the session is removed from the host.
help-intro-qwinsta =
    Displays information about the sessions on a session host: every session,
    or those that a session name, a user name or a session ID selects.
help-intro-quser =
    Displays information about the users' sessions on a session host: who is
    logged on, in which session, since when, and how long they have been idle.

# Placeholders in the usage and the list of switches, shown as <sessionname>.
help-value-sessionname = sessionname
help-value-sessionid = sessionID
help-value-servername = servername
help-value-username = username
help-value-file = file
help-value-seconds = seconds
help-value-state = state
help-value-backend = backend
help-value-duration = duration
help-value-text = text
help-value-n = n

# One paragraph each: /? wraps them, the man page uses the English ones.
help-arg-sessionname = Name of the session: its terminal (pts/3, tty2), its X display (:10), or "console".
help-arg-sessionid = logind ID of the session (12, c3). With neither, your current session is logged off.
help-switch-server = Session host that holds the session (default: this one), reached with ssh (its systemd-stdio-bridge, else its logoff). Any ssh destination: alias, user@host, host:port. Several: /server:a,b,c or /server:@<file> (one host per line, #{ "\u00A0" }comments).
help-switch-user = Every session of this user (a fleet logoff).
help-switch-verbose = Display what is being done.
help-switch-force = Also log off a console (physical seat) session.
help-switch-timeout = How long to wait for the session to end before its processes are killed with SIGKILL (default { $default }; { $min } to { $max }, decimals allowed).
help-switch-connect-timeout = How long to wait for a host, or any answer from its bus (default { $default }; { $min } to { $max }).
help-switch-parallel = Hosts handled at once (default { $default }; { $min } to { $max }).
help-switch-help = Display this help.
help-switch-version = Display the version.
help-switch-whatif = Show which sessions would be logged off, with their processes, and change nothing.
help-switch-yes = Do not ask before logging off several sessions.
help-switch-backend = Ask each host through logind, or proc (login records and /proc); by default logind where the host's bus answers for it, else proc.
help-switch-state = Only sessions in this state: disc (the same as /disconnected).
help-switch-disconnected = Only disconnected sessions (leader gone, processes left: Disc in qwinsta).
help-switch-idle = Only sessions idle at least this long (90s, 30m, 2h, 1d, 1h30m; a bare number is minutes).
help-switch-delay = Seconds between the warning and the logoff (default { $default }; { $min } to { $max }); without /msg, a default text is shown.
help-switch-msg = Show this text in each session before logging it off, with a countdown (waits /delay, 60 s by default).
help-switch-json = Print the result as one JSON document on standard output.
# qwinsta and quser: the positional argument is a filter.
help-arg-query-sessionname = Only the sessions with this name: a terminal (pts/3, tty2), an X display (:10), or "console".
help-arg-query-username = Only the sessions of this user (a name or a UID).
help-arg-query-sessionid = Only the session with this logind ID (12, c3). With no argument, every session is listed.
help-switch-server-query = Session host to query (default: this one), reached with ssh (its systemd-stdio-bridge, else its logoff). Any ssh destination: alias, user@host, host:port. Several: /server:a,b,c or /server:@<file> (one host per line, #{ "\u00A0" }comments).

help-forms =
    Switches also take the forms -v, --verbose, --server=NAME, --user NAME,
    in any letter case; -- ends the switches.
help-permission =
    Logging off other users' sessions needs permission from logind (root, or
    polkit's org.freedesktop.login1.manage). Warn users first: unsaved work in
    the session is lost.
help-exit-status =
    Exit status:
      0  every target session is gone          5  console session refused
      1  internal error, or output not written 6  processes left after SIGKILL
      2  invalid parameters                    7  host, bus or logind unreachable
      3  no such session or user session,      8  several hosts: some failed
         ambiguous name, no current session  130  interrupted (Ctrl-C, TERM, HUP)
      4  access denied                         9  not confirmed: nothing ended
help-forms-query =
    Switches also take the forms -json, --json, --server=NAME, --server NAME,
    in any letter case; -- ends the switches.
help-columns-qwinsta =
    Columns: SESSIONNAME, USERNAME, ID, STATE, TYPE, DEVICE; ">" marks your own
    session. STATE is Active (active in logind), Conn (online: logged on, not
    in the foreground) or Disc (closing: being ended, or its leader gone).
help-columns-quser =
    Columns: USERNAME, SESSIONNAME, ID, STATE, IDLE TIME, LOGON TIME; ">" marks
    your own session. STATE is Active (active in logind), Conn (online: logged
    on, not in the foreground) or Disc (closing: being ended, or its leader
    gone).
help-exit-status-query =
    Exit status:
      0  sessions listed                       7  host, bus or logind unreachable
      1  internal error, or output not written 8  several hosts: some failed
      2  invalid parameters                  130  interrupted (Ctrl-C, TERM, HUP)
      3  no session, or none matches the filter
version = { $program } { $version }

# Bad command lines. The usage text follows them.
err-invalid = Invalid parameter(s): { $detail }
err-unknown-switch = unknown switch '{ $switch }'
err-too-many-sessions = more than one session given ('{ $first }' and '{ $second }')
err-missing-value = '{ $option }' needs a value
err-empty-value = '{ $option }' has an empty value
err-unexpected-value = '{ $option }' takes no value
err-invalid-value = '{ $value }' is not a valid value for '{ $option }'
err-duplicate = '{ $option }' is given more than once
err-session-and-user = a session and /user can't be used together
err-state-with-session = /idle and /disconnected select sessions; give them alone or with /user:, not with a session ID or name
err-server-needs-target = /server needs a session ID, a session name, /user, /idle or /disconnected (there is no current session on another host)
err-not-unicode = an argument is not valid text: '{ $arg }'
err-bad-host-dash = host name '{ $host }' is refused: it starts with '-' and would be read as an ssh option
err-bad-host-space = host name '{ $host }' is refused: it contains whitespace or control characters
err-bad-host-empty = host name '{ $host }' is refused: it names no host
err-bad-host-port = host name '{ $host }' is refused: the port is not a number from 1 to 65535
err-host-file = cannot read the host list '{ $path }': { $reason }
err-host-file-empty = the host list '{ $path }' names no host

# Sessions.
err-not-found = no session '{ $session }' on { $host }
err-ambiguous = session name '{ $name }' is ambiguous on { $host }; it could be any of:
err-no-current-session = this process is not in a login session; give a session ID or name
err-access-denied = access denied: session { $id } on { $host } belongs to { $user }
err-console = can't log off a user from the console session (session { $id } of { $user } on { $host }); use /force to override
err-timed-out = session { $id } of { $user } on { $host } was not removed, even after SIGKILL; processes left:
candidate-header = ID        USER        NAME        STATE
sessions-there = Sessions on { $host }:
process-line = { $pid } { $cmd }

# Hosts and buses.
err-no-bus = cannot connect to the system bus on { $host }: { $reason }
err-no-logind = systemd-logind is not running on { $host } (nobody owns org.freedesktop.login1 on its system bus)
err-no-records = cannot read the login records of { $host } (it has no logind): { $reason }
err-no-agent = { $host } has neither systemd-stdio-bridge nor logoff installed: install either there to reach it
err-agent-mismatch = logoff { $theirs } on { $host } does not speak the agent protocol of this logoff ({ $ours }): install the same version there
err-unreachable = cannot reach { $host }: { $reason }
err-auth = authentication to { $host } failed: { $reason }
err-no-bridge = { $host } has no systemd-stdio-bridge: { $reason }
err-connect-timeout = { $host } did not answer within { $secs } s
err-no-reply = nobody answered ssh's prompt for { $host } within { $secs } s
err-no-ssh = cannot run ssh: { $reason }
err-bus = unexpected D-Bus error from { $host }: { $reason }
err-some-hosts-failed = { $failed } of { $total } hosts failed

# /v
v-connecting = Connecting to { $host } (ssh: systemd-stdio-bridge, else logoff there)...
v-connected = Connected to { $host } in { $ms } ms
v-agent = { $host }: answered by logoff { $version } there (agent mode: no systemd-stdio-bridge, system bus or running logind seen there)
v-backend-logind = { $host }: sessions from logind (its system bus answers for org.freedesktop.login1)
v-backend-proc-asked = { $host }: sessions from its login records and /proc (--backend=proc)
v-backend-proc-no-bus = { $host }: sessions from its login records and /proc (no system bus: { $reason })
v-backend-proc-not-on-bus = { $host }: sessions from its login records and /proc (no logind on its system bus)
v-backend-proc-cannot-start = { $host }: sessions from its login records and /proc (its system bus could not start logind: { $reason })
v-resolved-id = Session { $id } of { $user } on { $host } (given by ID{ $name })
v-resolved-name = Session { $id } of { $user } on { $host } (found by name '{ $name }')
v-resolved-current = Session { $id } of { $user } on { $host } (your current session)
v-resolved-user = Session { $id } of { $user } on { $host } (every session of { $user })
v-no-sessions = { $user } has no session on { $host }
v-resolved-state = Session { $id } of { $user } on { $host } ({ $name })
v-none-matching = no session on { $host } matches { $filter }
v-warned = Warned session { $id } of { $user } on { $host }: logged off in { $time }
v-not-warned = Session { $id } of { $user } on { $host } could not be shown the warning (no terminal or display reached); it is logged off in { $time } all the same
notice = [logoff] { $who }: { $text } { $tail }
notice-left = You will be logged off in { $time }: save your work now.
notice-cancelled = The logoff has been cancelled: you can go on working.
notice-default = This session is about to be logged off.
notice-seconds = { $n } s
notice-minutes = { $n } min
why-idle = idle { $minutes } min
why-disconnected = disconnected
v-requesting = Logging off session { $id } on { $host } (TerminateSession)
v-requesting-proc = Logging off session { $id } on { $host } (SIGTERM, SIGCONT and SIGHUP to each of its processes)
v-already-gone = Session { $id } on { $host } had already ended
v-waiting = Waiting up to { $secs } s for { $count ->
        [one] the session
       *[other] { $count } sessions
    } on { $host } to end
v-escalating = Session { $id } on { $host } still has { $count ->
        [one] one process after the timeout: killing it (SIGKILL)
       *[other] { $count } processes after the timeout: killing them (SIGKILL)
    }
v-ended = Session { $id } of { $user } on { $host } has been logged off ({ $ms } ms)

# Several hosts.
host-ok = { $host }: { $count ->
        [0] no session to end
        [one] 1 session ended
       *[other] { $count } sessions ended
    } ({ $secs } s)
host-failed = { $host }: FAILED: { $reason } ({ $secs } s)
summary = { $ok } of { $total } hosts done, { $sessions ->
        [one] 1 session
       *[other] { $sessions } sessions
    } ended in { $secs } s
progress = { $done }/{ $total } hosts finished
confirm-header = These { $count } sessions will be logged off:
confirm-question = Log off these { $count } sessions? [y/N]
confirm-yes = y,yes
progress-countdown = Logging off in { $time } (Ctrl-C cancels)

# Added with the trust work: outcomes told truthfully, bounded waits, interruptions.
err-session-many-hosts = a session ID or name belongs to one host and can't be used with several; use /user:<username> for many hosts
host-file-not-found = no such file
host-file-denied = permission denied
host-file-directory = it is a directory
host-file-not-text = it is not UTF-8 text
host-file-too-large = it is larger than { $mib } MiB
err-no-user-session = { $user } has no session on { $host }
err-no-such-user = there is no user '{ $user }' on { $host }
err-no-user-session-anywhere = { $user } has no session on { $hosts ->
        [one] that host
       *[other] any of the { $hosts } hosts
    }
err-logind-failed = systemd-logind on { $host } could not be started: { $reason }
err-no-answer = the system bus on { $host } did not answer within { $secs } s
err-interrupted = interrupted by { $signal }
err-cancelled = cancelled by { $signal } during the warning: no session on { $host } was logged off; { $told } of { $warned } warned sessions were told
err-declined = nothing was logged off (not confirmed)
err-not-looked-at = nothing was logged off: { $hosts } host(s) could not be looked at, so no list could be confirmed (/y goes on without one)
err-output = cannot write the output: { $reason }
outcome-still-there = session { $id } of { $user } on { $host } was asked to end and is still there
outcome-unknown = session { $id } of { $user } on { $host } was asked to end; whether it has ended is unknown
outcome-not-asked = session { $id } of { $user } on { $host } was not asked to end
ended = Session { $id } of { $user } on { $host } has been logged off
v-signalling = Session { $id } on { $host } is closing (its leader is gone): sending SIGTERM to its processes
warn-audit-lost = warning: the audit record could not be written: this machine has no system log (/dev/log) and no journald socket

# Listings (qwinsta, quser) and /whatif.
q-server = SERVER
q-sessionname = SESSIONNAME
q-username = USERNAME
q-id = ID
q-state = STATE
q-type = TYPE
q-device = DEVICE
q-idle = IDLE TIME
q-logon = LOGON TIME
state-active = Active
state-conn = Conn
state-disc = Disc
idle-none = none
err-no-match = no session matches '{ $filter }' on { $host }
err-no-sessions = no session on { $host }
whatif-session = What if: session { $id } of { $user } ({ $name }) on { $host } would be logged off, { $count ->
        [0] with no process left in it
        [one] with its one process:
       *[other] with its { $count } processes:
    }
