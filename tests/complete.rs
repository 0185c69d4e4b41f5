//! The generated completions (complete/), run in the shells they are for: bash (with
//! bash-completion, as a Debian user has it) and fish complete a line as a user would see it.
//! zsh's completion system needs a terminal to run; there the file is loaded and checked by
//! zsh's own parser. scripts/test installs the three shells.

use std::path::PathBuf;
use std::process::Command;

fn file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("complete")
        .join(name)
}

/// The words bash hands to a completion function for `line` (the cursor at its end): split at
/// blanks, and each run of the word-break characters `=`, `:` and `@` a word of its own.
fn comp_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    for token in line.split(' ') {
        let mut cur = String::new();
        let mut in_breaks = false;
        for c in token.chars() {
            let brk = matches!(c, '=' | ':' | '@');
            if brk != in_breaks && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            in_breaks = brk;
            cur.push(c);
        }
        words.push(cur);
    }
    words
}

/// The command a line runs: its first word.
fn command(line: &str) -> &str {
    line.split(' ').next().unwrap_or_default()
}

/// What bash offers for `line`, as bash-completion's `complete -F` would show it: the function
/// the command's file registers for it, as bash-completion finds it by the command's name.
fn bash(line: &str) -> Vec<String> {
    let words = comp_words(line);
    let script = r#"
        source /usr/share/bash-completion/bash_completion
        source "$1"
        COMP_LINE=$2 COMP_POINT=${#2}
        shift 2
        COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
        f=$(complete -p "${COMP_WORDS[0]}" | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
        "$f" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let cmd = command(line);
    let out = Command::new("bash")
        .args(["-c", script, "bash"])
        .arg(file(&format!("{cmd}.bash")))
        .arg(line)
        .args(&words)
        .output()
        .expect("bash (scripts/test installs it)");
    assert!(
        out.status.success(),
        "bash: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&out.stdout)
}

/// What fish offers for `line` (the candidates, without their descriptions).
fn fish(line: &str) -> Vec<String> {
    let out = Command::new("fish")
        .args(["--no-config", "-c", "source $argv[1]; complete -C $argv[2]"])
        .arg(file(&format!("{}.fish", command(line))))
        .arg(line)
        .output()
        .expect("fish (scripts/test installs it)");
    assert!(
        out.status.success(),
        "fish: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&out.stdout)
        .into_iter()
        .map(|l| l.split('\t').next().unwrap_or("").to_string())
        .collect()
}

fn lines(b: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(b)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_switches_in_both_spellings_and_their_values() {
    assert_eq!(bash("logoff /ser"), ["/server:"]);
    assert_eq!(bash("logoff --us"), ["--user="]);
    assert_eq!(bash("logoff /TIME"), ["/timeout:"]);
    // Values, any letter case of the switch; readline replaces what follows the ':'.
    assert!(bash("logoff /USER:roo").contains(&"root".to_string()));
    assert!(bash("logoff --user=roo").contains(&"root".to_string()));
    // A host file after '@'.
    assert_eq!(bash("logoff /server:@/etc/hostn"), ["/etc/hostname"]);
    // After `--` only a session: no switch is offered.
    assert_eq!(bash("logoff -- /s"), Vec::<String>::new());
    assert_eq!(bash("logoff /what"), ["/whatif"]);
    assert_eq!(bash("logoff --dry"), ["--dry-run"]);
    assert_eq!(bash("logoff --js"), ["--json"]);
}

#[test]
fn bash_completes_the_queries_with_their_own_switches() {
    for cmd in ["qwinsta", "quser"] {
        assert_eq!(bash(&format!("{cmd} /ser")), ["/server:"], "{cmd}");
        assert_eq!(bash(&format!("{cmd} --js")), ["--json"], "{cmd}");
        assert_eq!(bash(&format!("{cmd} /J")), ["/json"], "{cmd}");
        // logoff's switches are not theirs (a `/…` that is no switch may be a path).
        let none = Vec::<String>::new();
        assert!(!bash(&format!("{cmd} /us")).contains(&"/user:".to_string()));
        assert_eq!(bash(&format!("{cmd} --verb")), none, "{cmd}");
        assert_eq!(bash(&format!("{cmd} --dry")), none, "{cmd}");
        assert_eq!(
            bash(&format!("{cmd} /server:@/etc/hostn")),
            ["/etc/hostname"],
            "{cmd}"
        );
    }
}

#[test]
fn fish_completes_switches_in_both_spellings_and_their_values() {
    assert_eq!(fish("logoff /ser"), ["/server:"]);
    assert_eq!(fish("logoff --us"), ["--user="]);
    assert!(fish("logoff /user:roo").contains(&"/user:root".to_string()));
    assert_eq!(
        fish("logoff /server:@/etc/hostn"),
        ["/server:@/etc/hostname"]
    );
    assert_eq!(fish("logoff /what"), ["/whatif"]);
}

#[test]
fn fish_completes_the_queries_with_their_own_switches() {
    for cmd in ["qwinsta", "quser"] {
        assert_eq!(fish(&format!("{cmd} /ser")), ["/server:"], "{cmd}");
        assert_eq!(fish(&format!("{cmd} --js")), ["--json"], "{cmd}");
        // logoff's switches are not theirs.
        let offered = fish(&format!("{cmd} /"));
        assert!(offered.contains(&"/json".to_string()), "{cmd}: {offered:?}");
        for not_theirs in ["/user:", "/v", "/whatif", "/force", "/timeout:"] {
            assert!(
                !offered.contains(&not_theirs.to_string()),
                "{cmd} {not_theirs}"
            );
        }
        assert_eq!(
            fish(&format!("{cmd} /server:@/etc/hostn")),
            ["/server:@/etc/hostname"],
            "{cmd}"
        );
    }
}

#[test]
fn zsh_loads_the_completions_and_parses_them() {
    let script = r#"
        zsh -n "$1" || exit 1
        autoload -Uz compinit && compinit -u -D
        fpath=("${1:h}" $fpath)
        f=${1:t}
        autoload -Uz $f
        # Loads the function's definition without running it (that needs a terminal).
        autoload +X $f && print -r -- ${+functions[$f]}
    "#;
    for cmd in ["logoff", "qwinsta", "quser"] {
        let path = file(&format!("_{cmd}"));
        let text = std::fs::read_to_string(&path).expect("the zsh completion");
        assert_eq!(
            text.lines().next(),
            Some(format!("#compdef {cmd}").as_str())
        );
        let out = Command::new("zsh")
            .args(["-f", "-c", script, "zsh"])
            .arg(&path)
            .output()
            .expect("zsh (scripts/test installs it)");
        assert!(
            out.status.success(),
            "zsh, {cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(lines(&out.stdout), ["1"], "{cmd}");
    }
}
