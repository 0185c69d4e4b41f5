//! Remote Desktop sessions: real xrdp hosts (xrdp, xrdp-sesman, Xvnc, twm) in the lab, desktops
//! opened through sesman and through a real RDP client (FreeRDP), logged off locally and over
//! ssh by display name, ID and user. Exit 0 must mean the whole desktop is gone: X server,
//! window manager, the user's programs, xrdp-chansrv and sesman's per-session child.

mod common;

use std::time::Duration;

use common::{Desktop, Lab, assert_only_gone, logoff_in_host, logoff_on_machine, out};

/// What sesman starts for a desktop, each seen in its session before the logoff (the lab's
/// desktop adds `sleep infinity` as the user's own program).
const DESKTOP_PARTS: &[&str] = &[
    "xrdp-sesman",
    "Xvnc :",
    "x-window-manager",
    "xrdp-chansrv",
    "sleep infinity",
];

fn assert_whole_desktop(lab: &Lab, host: &str, d: &Desktop) {
    let snap = lab.snapshot(host);
    let cmds: Vec<&str> = snap
        .session_procs(&d.id)
        .iter()
        .map(|p| p.cmd.as_str())
        .collect();
    for part in DESKTOP_PARTS {
        assert!(
            cmds.iter().any(|c| c.contains(part)),
            "desktop {} on {host} has no '{part}' process: {cmds:?}",
            d.id
        );
    }
}

/// sesman's own list (xrdp-sesadmin; its "Session ID" is the PID of sesman's per-session child,
/// which is the logind session's leader).
fn sesman_lists(lab: &Lab, host: &str, leader: &str) -> bool {
    let addr = format!(
        "-s=127.0.0.{}",
        10 + host["server".len()..].parse::<u32>().unwrap()
    );
    let o = lab.exec(
        host,
        &[
            "xrdp-sesadmin",
            "-u=carol",
            "-p=lab-password",
            &addr,
            "-c=list",
        ],
    );
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success() && !text.contains("[ERROR]"),
        "xrdp-sesadmin on {host}: {text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    text.lines()
        .any(|l| l.trim() == format!("Session ID: {leader}"))
}

#[test]
fn a_desktop_logged_off_by_its_display_name_is_gone_with_every_process() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    let alice = lab.rdp(&[], "alice", "server1");
    let bob = lab.rdp(&[], "bob", "server1");
    let carol_ssh = lab.login("carol", "server1");
    assert_whole_desktop(&lab, "server1", &alice);
    // server1's displays are :10 to :19 (a stale lock in the host's /tmp can skip :10).
    let n: u32 = alice.display.trim_start_matches(':').parse().unwrap();
    assert!((10..20).contains(&n), "{}", alice.display);
    // What logind shows for an xrdp 0.9 desktop: no seat, not remote. It is no console
    // session, and a logoff without /force must not be refused as one.
    for (prop, want) in [
        ("Seat", ""),
        ("Remote", "no"),
        ("Service", "xrdp-sesman"),
        ("Type", "x11"),
    ] {
        assert_eq!(lab.session_prop("server1", &alice.id, prop), want, "{prop}");
    }
    let leader = lab.session_prop("server1", &alice.id, "Leader");
    assert!(sesman_lists(&lab, "server1", &leader));
    let before = lab.snapshot("server1");
    let (code, stdout, stderr) = out(&logoff_in_host(
        &lab,
        "server1",
        &["/v", &alice.display],
        None,
        &[],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "Session {} of alice on server1 (found by name '{}')",
            alice.id, alice.display
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "Session {} of alice on server1 has been logged off",
            alice.id
        )),
        "{stdout}"
    );
    assert_only_gone(&lab, "server1", &before, &[&alice.id], &[]);
    assert!(
        !sesman_lists(&lab, "server1", &leader),
        "sesman still lists the desktop"
    );
    assert!(lab.session_exists("server1", &bob.id));
    assert!(lab.session_exists("server1", &carol_ssh));

    // By user, in the host too: bob's desktop, not carol's ssh session.
    let before = lab.snapshot("server1");
    let (code, stdout, stderr) = out(&logoff_in_host(&lab, "server1", &["/user:bob"], None, &[]));
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    assert_only_gone(&lab, "server1", &before, &[&bob.id], &[]);
}

#[test]
fn desktops_end_by_id_and_by_user_over_ssh_and_nothing_else_does() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    let first = lab.rdp(&[], "alice", "server2");
    let bob = lab.rdp(&[], "bob", "server2");
    let before = lab.snapshot("server2");
    let (code, stdout, stderr, audit) =
        logoff_on_machine(&lab, &[&first.id, "/server:server2"], &[]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    // The record names the desktop by its display.
    let record = format!(
        "root (uid 0) logoff of session {} (user alice, uid 2001, {}) on server2",
        first.id, first.display
    );
    assert_eq!(
        audit,
        [
            format!("{record}: requested"),
            format!("{record}: logged off")
        ]
    );
    assert_only_gone(&lab, "server2", &before, &[&first.id], &[]);

    // /user: her desktop (sesman gives a user one per colour depth) and her ssh sessions, and
    // nobody else's.
    let desktop = lab.rdp(&[], "alice", "server2");
    let ssh = lab.login("alice", "server2");
    let pty = lab.login_with(&["--pty"], "alice", "server2");
    let before = lab.snapshot("server2");
    let (code, stdout, stderr, _) =
        logoff_on_machine(&lab, &["/v", "/user:alice", "/server:server2"], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    for id in [&desktop.id, &ssh, &pty] {
        assert!(
            stdout.contains(&format!(
                "Session {id} of alice on server2 has been logged off"
            )),
            "{stdout}"
        );
    }
    assert_only_gone(&lab, "server2", &before, &[&desktop.id, &ssh, &pty], &[]);
    assert!(lab.session_exists("server2", &bob.id));
}

#[test]
fn a_real_rdp_client_is_told_it_was_logged_off_and_exits() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    let xrdp_before = lab.snapshot("server2").unit_pids("xrdp.service");
    let desktop = lab.rdp(&["--client"], "bob", "server2");
    // xrdp serves each client from a process of its own, which ends with the connection:
    // bob's is the one that appeared with his client (alice's must survive).
    let connection: Vec<u32> = lab
        .snapshot("server2")
        .unit_pids("xrdp.service")
        .into_iter()
        .filter(|p| !xrdp_before.contains(p))
        .collect();
    assert_eq!(connection.len(), 1, "{connection:?}");
    let other = lab.rdp(&["--client"], "alice", "server2");
    assert_whole_desktop(&lab, "server2", &desktop);
    let before = lab.snapshot("server2");
    // $DISPLAY's form (with the screen) names the desktop too.
    let screen = format!("{}.0", desktop.display);
    let (code, stdout, stderr, _) =
        logoff_on_machine(&lab, &["/v", &screen, "/server:server2"], &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("(found by name '{screen}')")),
        "{stdout}"
    );
    let (client_code, log) = desktop.client_exit(Duration::from_secs(20));
    assert!(
        log.contains("ERRINFO_LOGOFF_BY_USER"),
        "the client was not told of the logoff (exit {client_code}):\n{log}"
    );
    assert_only_gone(&lab, "server2", &before, &[&desktop.id], &connection);
    // The other client is still connected: its desktop and its client are there, a while on.
    std::thread::sleep(Duration::from_secs(2));
    assert!(lab.session_exists("server2", &other.id));
    let other_rc = other.client_log.as_ref().unwrap().with_extension("rc");
    assert!(!other_rc.exists(), "the other RDP client exited too");
}

#[test]
fn a_desktop_whose_programs_ignore_sigterm_is_still_ended() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    let stubborn = lab.rdp(&["--ignore-term"], "carol", "server1");
    let bob = lab.rdp(&[], "bob", "server1");
    let before = lab.snapshot("server1");
    let (code, stdout, stderr) = out(&logoff_in_host(
        &lab,
        "server1",
        &["/v", "/timeout:2", &stubborn.id],
        None,
        &[],
    ));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("after the timeout: killing it (SIGKILL)"),
        "{stdout}"
    );
    assert_only_gone(&lab, "server1", &before, &[&stubborn.id], &[]);
    assert!(lab.session_exists("server1", &bob.id));
}

#[test]
fn near_misses_of_a_display_name_change_nothing() {
    let Some(lab) = Lab::get(2) else { return };
    lab.xrdp(2);
    let d = lab.rdp(&[], "alice", "server1");
    let before = lab.snapshot("server1");
    for arg in [
        format!("localhost{}.0", d.display),
        format!("{}0", d.display),
        format!("{}.", d.display),
    ] {
        let (code, stdout, stderr) = out(&logoff_in_host(&lab, "server1", &[&arg], None, &[]));
        assert_eq!((code, stdout.as_str()), (3, ""), "{arg}: {stderr}");
        assert!(
            stderr.contains(&format!("no session '{arg}' on server1")),
            "{arg}: {stderr}"
        );
    }
    before.assert_survived_except(&lab.snapshot("server1"), "server1", &[], &[]);
}
