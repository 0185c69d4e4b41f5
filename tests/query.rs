//! `qwinsta`, `quser`, `--json` and `/whatif` against the lab's real hosts: a listing is
//! logind's own view, filters pick what they say, the caller's session is marked, dead hosts
//! fail alone, every JSON document follows the schema, and `/whatif` changes nothing while
//! naming exactly what a real run then ends.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use common::{Lab, document, out, program_in_host};
use serde_json::Value;

const H: &str = "server1";
const QWINSTA: &str = env!("CARGO_BIN_EXE_qwinsta");
const QUSER: &str = env!("CARGO_BIN_EXE_quser");
const LOGOFF: &str = env!("CARGO_BIN_EXE_logoff");

/// Runs a binary under test on the machine, reaching the hosts with the lab's ssh.
fn run(lab: &Lab, exe: &str, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(exe);
    c.args(args);
    let mut c = common::on_machine(lab, c);
    for (k, v) in env {
        c.env(k, v);
    }
    out(&c.output().expect("run the binary"))
}

fn ids(doc: &Value, host: usize) -> BTreeSet<String> {
    doc["hosts"][host]["sessions"]
        .as_array()
        .unwrap_or_else(|| panic!("no sessions in {doc}"))
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

fn session<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["hosts"][0]["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no session {id} in {doc}"))
}

/// What logind itself says of a session, inside the host.
fn logind_view(lab: &Lab, id: &str) -> (String, String, String, String) {
    let p = |prop: &str| lab.session_prop(H, id, prop);
    (p("Name"), p("TTY"), p("Display"), p("State"))
}

#[test]
fn the_listing_is_loginds_own_view_over_ssh_and_locally() {
    let Some(lab) = Lab::get(3) else { return };
    let plain = lab.login("alice", H);
    let pty = lab.login_with(&["--pty"], "bob", H);
    let background = lab.login_with(&["--background"], "carol", H);
    let console = lab.console("alice", H);
    let logind: BTreeSet<String> = lab.sessions(H).into_iter().collect();
    for id in [&plain, &pty, &background, &console] {
        assert!(logind.contains(id.as_str()), "{id} not in {logind:?}");
    }

    let (code, stdout, stderr) = run(&lab, QWINSTA, &["/server:server1", "--json"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let remote = document(&stdout);
    // Everything logind has, nothing else: our own ssh login is not one of the host's.
    assert_eq!(ids(&remote, 0), logind);
    let (code, stdout, stderr) = out(&program_in_host(&lab, H, QWINSTA, &["--json"], None, &[]));
    assert_eq!(code, 0, "{stderr}");
    let local = document(&stdout);
    assert_eq!(ids(&local, 0), logind);

    for id in &logind {
        let (user, tty, display, state) = logind_view(&lab, id);
        for doc in [&remote, &local] {
            let s = session(doc, id);
            assert_eq!(s["user"], user.as_str(), "{s}");
            assert_eq!(s["state"], state.as_str(), "{s}");
            assert_eq!(s["tty"].as_str().unwrap_or(""), tty, "{s}");
            assert_eq!(s["display"].as_str().unwrap_or(""), display, "{s}");
            let name = if *id == console {
                "console".to_string()
            } else {
                tty.clone()
            };
            assert_eq!(s["name"].as_str().unwrap_or(""), name, "{s}");
            assert_eq!(s["current"], false, "root in no session has no current one");
        }
    }
    assert_eq!(session(&remote, &pty)["remote_host"], "127.0.0.1");

    // The tables: a row per session, the Windows columns in each tool's order.
    let (code, table, _) = run(&lab, QWINSTA, &["/server:server1"], &[]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["SESSIONNAME", "USERNAME", "ID", "STATE", "TYPE", "DEVICE"]
    );
    assert_eq!(lines.len(), 1 + logind.len(), "{table}");
    let row = |t: &str, id: &str| -> Vec<String> {
        t.lines()
            .find(|l| l.split_whitespace().any(|w| w == id))
            .unwrap_or_else(|| panic!("no row for {id}:\n{t}"))
            .split_whitespace()
            .map(str::to_string)
            .collect()
    };
    let tty = lab.session_prop(H, &pty, "TTY");
    assert_eq!(
        row(&table, &pty)[..5],
        [tty.as_str(), "bob", &pty, "Active", "tty"]
    );
    assert_eq!(
        row(&table, &console)[..4],
        ["console", "alice", &console, "Active"]
    );
    let (code, users, _) = run(&lab, QUSER, &["/server:server1"], &[]);
    assert_eq!(code, 0);
    assert!(users.starts_with(" USERNAME"), "{users}");
    assert_eq!(
        row(&users, &pty)[..4],
        ["bob", tty.as_str(), &pty, "Active"]
    );
}

#[test]
fn filters_pick_an_id_a_name_or_a_user_and_nothing_is_not_found() {
    let Some(lab) = Lab::get(3) else { return };
    let a1 = lab.login("alice", H);
    let a2 = lab.login_with(&["--pty"], "alice", H);
    let b = lab.login_with(&["--pty"], "bob", H);
    let tty = lab.session_prop(H, &b, "TTY");
    let listed = |exe: &str, arg: &str| -> BTreeSet<String> {
        let (code, stdout, stderr) = run(&lab, exe, &[arg, "/server:server1", "--json"], &[]);
        assert_eq!(code, 0, "{arg}: {stderr}");
        ids(&document(&stdout), 0)
    };
    assert_eq!(listed(QWINSTA, &b), BTreeSet::from([b.clone()]));
    assert_eq!(listed(QWINSTA, &tty), BTreeSet::from([b.clone()]));
    assert_eq!(
        listed(QUSER, "alice"),
        BTreeSet::from([a1.clone(), a2.clone()])
    );
    assert_eq!(listed(QUSER, "2002"), BTreeSet::from([b.clone()]));

    let (code, stdout, stderr) = run(&lab, QWINSTA, &["pts/99", "/server:server1"], &[]);
    assert_eq!((code, stdout.as_str()), (3, ""));
    assert_eq!(
        stderr.trim_end(),
        "qwinsta: no session matches 'pts/99' on server1"
    );
    let (code, stdout, _) = run(&lab, QUSER, &["nobody", "/server:server1", "--json"], &[]);
    assert_eq!(code, 3);
    let doc = document(&stdout);
    assert_eq!(doc["hosts"][0]["error"]["id"], "err-no-match");
    assert_eq!(doc["exit_code"], 3);
}

#[test]
fn the_callers_own_session_is_marked() {
    let Some(lab) = Lab::get(3) else { return };
    let other = lab.login("alice", H);
    let bin = lab.host_program(QWINSTA);
    // qwinsta run from alice's own ssh login: logind knows which session that is.
    let o = Command::new("ssh")
        .arg("-F")
        .arg(lab.ssh_config())
        .arg("alice@server1")
        .arg(format!("echo SESSION=$XDG_SESSION_ID; LC_ALL=C {bin}"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let (code, stdout, stderr) = out(&o);
    assert_eq!(code, 0, "{stderr}");
    let mine = stdout
        .lines()
        .find_map(|l| l.strip_prefix("SESSION="))
        .unwrap()
        .to_string();
    let marked: Vec<&str> = stdout.lines().filter(|l| l.starts_with('>')).collect();
    assert_eq!(marked.len(), 1, "{stdout}");
    assert!(
        marked[0].split_whitespace().any(|w| w == mine),
        "{mine} not marked:\n{stdout}"
    );
    let other_row = stdout
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == other))
        .unwrap();
    assert!(other_row.starts_with(' '), "{stdout}");
}

#[test]
fn several_hosts_are_listed_together_and_a_dead_one_fails_alone() {
    let Some(lab) = Lab::get(3) else { return };
    let a1 = lab.login("alice", "server1");
    let a2 = lab.login("alice", "server2");
    lab.stop("server3");
    let hosts = "/server:server1,server2,server3";
    let (code, stdout, stderr) = run(&lab, QUSER, &["alice", hosts, "/connect-timeout:5"], &[]);
    assert_eq!(code, 8, "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0].split_whitespace().next(), Some("SERVER"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("server1") && l.contains(&a1))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("server2") && l.contains(&a2))
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("quser: ") && stderr.contains("server3"),
        "{stderr}"
    );

    let (code, stdout, _) = run(&lab, QWINSTA, &[hosts, "--json"], &[]);
    assert_eq!(code, 8);
    let doc = document(&stdout);
    assert_eq!(doc["hosts"][0]["ok"], true);
    assert_eq!(doc["hosts"][1]["ok"], true);
    assert_eq!(doc["hosts"][2]["ok"], false);
    assert_eq!(doc["hosts"][2]["error"]["code"], 7);
    assert!(ids(&doc, 1).contains(&a2));
}

#[test]
fn whatif_changes_nothing_and_names_what_a_real_run_ends() {
    let Some(lab) = Lab::get(3) else { return };
    let a1 = lab.login("alice", H);
    let a2 = lab.login_with(&["--pty"], "alice", H);
    let b = lab.login("bob", H);
    let before = lab.snapshot(H);
    let args = ["/user:alice", "/server:server1", "--json"];
    let (code, stdout, stderr) = run(&lab, LOGOFF, &[&args[..], &["/whatif"]].concat(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let whatif = document(&stdout);
    assert_eq!(whatif["whatif"], true);
    // Nothing was touched.
    before.assert_survived_except(&lab.snapshot(H), H, &[], &[]);
    assert!(lab.session_exists(H, &a1) && lab.session_exists(H, &a2));
    let would: BTreeSet<String> = ids(&whatif, 0);
    assert_eq!(would, BTreeSet::from([a1.clone(), a2.clone()]));
    for id in [&a1, &a2] {
        let s = session(&whatif, id);
        assert_eq!(s["outcome"], "would-end");
        let pids: BTreeSet<u64> = s["processes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["pid"].as_u64().unwrap())
            .collect();
        let expected: BTreeSet<u64> = before
            .session_procs(id)
            .iter()
            .map(|p| u64::from(p.pid))
            .collect();
        assert_eq!(pids, expected, "{s}");
    }
    // The text form says the same.
    let (code, text, _) = run(
        &lab,
        LOGOFF,
        &["/user:alice", "/server:server1", "/whatif"],
        &[],
    );
    assert_eq!(code, 0);
    for id in [&a1, &a2] {
        assert!(
            text.contains(&format!("What if: session {id} of alice")),
            "{text}"
        );
    }

    // The real run ends exactly those.
    let (code, stdout, stderr) = run(&lab, LOGOFF, &args, &[]);
    assert_eq!(code, 0, "{stderr}");
    let real = document(&stdout);
    assert_eq!(real["whatif"], false);
    assert_eq!(ids(&real, 0), would);
    for id in [&a1, &a2] {
        assert_eq!(session(&real, id)["outcome"], "ended");
        assert!(!lab.session_exists(H, id));
    }
    assert!(lab.session_exists(H, &b));
    before.assert_survived_except(&lab.snapshot(H), H, &[&a1, &a2], &[]);
}

#[test]
fn json_errors_are_documents_too() {
    let Some(lab) = Lab::get(3) else { return };
    // A bad command line, before anything runs.
    let (code, stdout, stderr) = run(&lab, LOGOFF, &["--json", "/bogus"], &[]);
    assert_eq!(code, 2, "{stderr}");
    let doc = document(&stdout);
    assert_eq!(doc["error"]["id"], "err-invalid");
    assert_eq!(doc["error"]["code"], 2);
    assert!(stderr.starts_with("logoff: "), "{stderr}");
    // A session that is not there, in Spanish: the id is the same, the text is not.
    let (code, stdout, _) = run(
        &lab,
        LOGOFF,
        &["424242", "/server:server1", "--json"],
        &[("LC_ALL", "es_ES.UTF-8")],
    );
    assert_eq!(code, 3);
    let doc = document(&stdout);
    let e = &doc["hosts"][0]["error"];
    assert_eq!(e["id"], "err-not-found");
    let l = logoff::i18n::Localizer::for_locale("es_ES.UTF-8");
    let want = l.tr(
        "err-not-found",
        &[("session", "424242".into()), ("host", "server1".into())],
    );
    assert!(e["message"].as_str().unwrap().starts_with(&want), "{e}");
    // quser on the machine, which has no logind here: a host error, as a document.
    let (code, stdout, _) = run(&lab, QUSER, &["--json", "/connect-timeout:2"], &[]);
    assert_ne!(code, 0);
    let doc = document(&stdout);
    assert_eq!(doc["hosts"][0]["ok"], false);
    assert_eq!(doc["exit_code"], code);
}

#[test]
fn headers_and_states_are_localized_and_stay_aligned() {
    let Some(lab) = Lab::get(3) else { return };
    let id = lab.login_with(&["--pty"], "alice", H);
    for locale in ["en_US.UTF-8", "es_ES.UTF-8", "zh_CN.UTF-8"] {
        let l = logoff::i18n::Localizer::for_locale(locale);
        for (exe, heads) in [
            (
                QWINSTA,
                &["q-sessionname", "q-username", "q-id", "q-state"][..],
            ),
            (
                QUSER,
                &["q-username", "q-sessionname", "q-id", "q-idle", "q-logon"][..],
            ),
        ] {
            let (code, stdout, stderr) =
                run(&lab, exe, &["/server:server1"], &[("LC_ALL", locale)]);
            assert_eq!(code, 0, "{stderr}");
            let header = stdout.lines().next().unwrap();
            for h in heads {
                assert!(header.contains(&l.tr(h, &[])), "{locale}: {header}");
            }
            let row = stdout
                .lines()
                .find(|r| r.split_whitespace().any(|w| w == id))
                .unwrap();
            assert!(row.contains(&l.tr("state-active", &[])), "{locale}: {row}");
            // The ID ends in the same display column as its header.
            let end = |line: &str, word: &str| {
                let at = line.find(word).unwrap() + word.len();
                logoff::i18n::width(&line[..at])
            };
            assert_eq!(
                end(header, &l.tr("q-id", &[])),
                end(row, &format!(" {id} ")) - 1,
                "{locale}:\n{stdout}"
            );
        }
    }
}

/// Stops the transient units `bench`-style filler sessions run in, whatever the test's outcome.
struct Filler<'a>(&'a Lab, &'static str);

impl Drop for Filler<'_> {
    fn drop(&mut self) {
        let stop = format!(
            "systemctl stop 'qfill-*'; loginctl terminate-user {}",
            "carol"
        );
        self.0.exec(self.1, &["bash", "-c", &stop]);
    }
}

#[test]
fn a_host_with_more_sessions_than_the_bus_lets_one_client_wait_for_is_listed_whole() {
    let Some(lab) = Lab::get(3) else { return };
    // dbus-daemon allows 128 pending replies per connection: ask about more sessions than that.
    let host = "server2";
    let _filler = Filler(&lab, host);
    let open = "for i in $(seq 1 150); do systemd-run --quiet --collect --unit=qfill-$i \
                runuser -l carol -c 'exec sleep infinity' || exit 1; done";
    lab.exec_ok(host, &["bash", "-c", open]);
    let logind: BTreeSet<String> = lab.sessions(host).into_iter().collect();
    assert!(logind.len() >= 150, "{}", logind.len());
    let (code, stdout, stderr) = run(&lab, QWINSTA, &["/server:server2", "--json"], &[]);
    assert_eq!(code, 0, "{stderr}");
    let doc = document(&stdout);
    assert_eq!(ids(&doc, 0), logind);
}
