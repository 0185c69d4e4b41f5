//! The man pages' SYNOPSIS, ARGUMENTS and OPTIONS, and the bash, zsh and fish completions of
//! each verb, made from the switch table and the English catalog. They are files in the tree (the Debian package
//! ships them as they are); the tests below fail while a file differs from what is made here,
//! and rewrite it when run as
//!
//! ```text
//! LOGOFF_REGENERATE=1 cargo test --lib cli::generate
//! ```
//!
//! A man page's other sections are prose, written in `doc/<verb>.1` itself: only the lines
//! between `.\" BEGIN GENERATED <part>` and `.\" END GENERATED <part>` are replaced, and the
//! version in its `.TH` line.

use super::help::{render_term, text};
use super::table::{FILE_VALUE, Form, Kind, Operand, Switch, Term, Verb};
use crate::i18n::Localizer;

/// A man page that can't be brought up to date: its generated parts are not marked right.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GenerateError {
    #[error("no '.\\\" BEGIN GENERATED {0}' line")]
    Missing(&'static str),
    #[error("'.\\\" BEGIN GENERATED {0}' has no matching END line")]
    Unterminated(String),
    #[error("unknown generated part '{0}'")]
    Unknown(String),
    #[error("generated part '{0}' given twice")]
    Twice(String),
    #[error("no '.TH NAME 1 \"date\" \"logoff version\" \"User Commands\"' line")]
    NoTitle,
}

const BEGIN: &str = ".\\\" BEGIN GENERATED ";
const END: &str = ".\\\" END GENERATED ";
const PARTS: [&str; 3] = ["synopsis", "arguments", "options"];

fn english() -> Localizer {
    Localizer::for_locale("C")
}

/// `current` (`verb`'s man page as it is) with its generated parts and version made anew.
pub(crate) fn man_page(verb: Verb, current: &str) -> Result<String, GenerateError> {
    let l = english();
    let mut out = String::new();
    let mut seen: Vec<&str> = vec![];
    let mut title = false;
    let mut lines = current.lines();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix(".TH ") {
            out.push_str(&title_line(rest)?);
            out.push('\n');
            title = true;
            continue;
        }
        out.push_str(line);
        out.push('\n');
        let Some(part) = line.strip_prefix(BEGIN) else {
            continue;
        };
        let part = PARTS
            .iter()
            .copied()
            .find(|p| *p == part)
            .ok_or_else(|| GenerateError::Unknown(part.to_owned()))?;
        if seen.contains(&part) {
            return Err(GenerateError::Twice(part.to_owned()));
        }
        seen.push(part);
        let end = format!("{END}{part}");
        if !lines.any(|line| line == end) {
            return Err(GenerateError::Unterminated(part.to_owned()));
        }
        out.push_str(&match part {
            "synopsis" => man_synopsis(&l, verb),
            "arguments" => man_entries(verb.operands().map(|o| operand_entry(&l, o))),
            _ => man_entries(verb.switches().map(|s| switch_entry(&l, s))),
        });
        out.push_str(&end);
        out.push('\n');
    }
    if let Some(missing) = PARTS.iter().find(|p| !seen.contains(p)) {
        return Err(GenerateError::Missing(missing));
    }
    if !title {
        return Err(GenerateError::NoTitle);
    }
    Ok(out)
}

/// `.TH LOGOFF 1 "2026-11-24" "logoff 0.1.0" "User Commands"` with this crate's version; the
/// date is the maintainer's.
fn title_line(rest: &str) -> Result<String, GenerateError> {
    let fields: Vec<&str> = rest.split('"').collect();
    match fields.as_slice() {
        [name, date, " ", _, " ", manual, ""] => Ok(format!(
            ".TH {name}\"{date}\" \"logoff {}\" \"{manual}\"",
            env!("CARGO_PKG_VERSION")
        )),
        _ => Err(GenerateError::NoTitle),
    }
}

/// Text for troff: backslashes, minus signs (so `--server` can be copied), leading dots and
/// quotes escaped; `<name>` in italics; a sentence per line, as troff wants.
fn roff(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\e"),
            '-' => out.push_str("\\-"),
            '\u{a0}' => out.push_str("\\ "),
            '<' => out.push_str("\\fI"),
            '>' => out.push_str("\\fR"),
            '.' if chars.peek() == Some(&' ') => {
                chars.next();
                out.push_str(".\n");
            }
            c => out.push(c),
        }
    }
    out.lines()
        .map(|line| {
            if line.starts_with(['.', '\'']) {
                format!("\\&{line}\n")
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

/// A switch or value name in troff: minus signs escaped.
fn name(s: &str) -> String {
    s.replace('-', "\\-")
}

fn man_synopsis(l: &Localizer, verb: Verb) -> String {
    let leaf = |t: &Term| match t {
        Term::Operand(o) => format!("\\fI{}\\fR", l.tr(o.name, &[])),
        Term::Switch(s, form) => {
            let bold = format!("\\fB/{}", name(s.name));
            match (&s.value, form) {
                (None, _) => format!("{bold}\\fR"),
                (Some(v), Form::One) => format!("{bold}:\\fI{}\\fR", l.tr(v.name, &[])),
                (Some(v), Form::List) => format!("{bold}:\\fI{}\\fR[,...]", l.tr(v.name, &[])),
                (Some(_), Form::File) => format!("{bold}:@\\fI{}\\fR", l.tr(FILE_VALUE, &[])),
            }
        }
        Term::Optional(_) | Term::Choice(_) => String::new(),
    };
    let forms: Vec<String> = verb
        .synopsis()
        .iter()
        .map(|form| {
            let terms: Vec<String> = form.iter().map(|t| render_term(t, &leaf)).collect();
            format!(".B {}\n{}\n", verb.name(), terms.join(" "))
        })
        .collect();
    forms.join(".br\n")
}

/// `.TP` entries: a tag line, then the text.
fn man_entries(entries: impl Iterator<Item = (String, String)>) -> String {
    entries
        .map(|(tag, body)| format!(".TP\n{tag}\n{body}"))
        .collect()
}

fn operand_entry(l: &Localizer, o: &Operand) -> (String, String) {
    let body = roff(&l.tr(o.help, &[])) + &more(o.man);
    (format!(".I {}", l.tr(o.name, &[])), body)
}

/// Every name of a switch, its value after each: `/server:servername, --server=servername`.
fn switch_entry(l: &Localizer, s: &Switch) -> (String, String) {
    let value = s.value.as_ref().map(|v| l.tr(v.name, &[]));
    let with = |prefix: &str, n: &str, sep: &str| match &value {
        None => format!("\\fB{prefix}{}\\fR", name(n)),
        Some(v) => format!("\\fB{prefix}{}{sep}\\fI{v}\\fR", name(n)),
    };
    let mut tags: Vec<String> = std::iter::once(s.name)
        .chain(s.aliases.iter().copied())
        .map(|n| with("/", n, ":"))
        .collect();
    tags.push(with("\\-\\-", s.long, "="));
    let body = roff(&text(l, s)) + &more(s.man);
    (tags.join(", "), body)
}

fn more(man: &str) -> String {
    if man.is_empty() {
        String::new()
    } else {
        format!("{man}\n")
    }
}

// ---- completions -------------------------------------------------------------------------

const HEADER: &str = "Generated from the switch table (src/cli/table.rs): do not edit.
Made anew by: LOGOFF_REGENERATE=1 cargo test --lib cli::generate";

/// How a shell completes a switch's value.
fn complete_kind(s: &Switch) -> &'static str {
    match s.value.as_ref().map(|v| v.kind) {
        None => "",
        Some(Kind::Hosts) => "hosts",
        Some(Kind::User) => "users",
        Some(
            Kind::Seconds { .. }
            | Kind::Count { .. }
            | Kind::Text
            | Kind::Duration
            | Kind::State
            | Kind::Backend,
        ) => "none",
    }
}

/// The switch's help text, short: its first sentence, without what is in parentheses.
fn summary(l: &Localizer, s: &Switch) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in text(l, s).chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => break,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    // "session (default: this one), reached" → "session, reached"
    out.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace(" ,", ",")
}

/// `/name` or `/name:` (a value follows), for every visible switch of `verb`.
fn slash_forms(verb: Verb) -> Vec<(String, &'static Switch)> {
    verb.switches()
        .map(|s| {
            let sep = if s.value.is_some() { ":" } else { "" };
            (format!("/{}{sep}", s.name), s)
        })
        .collect()
}

/// `--long` or `--long=`.
fn long_forms(verb: Verb) -> Vec<(String, &'static Switch)> {
    verb.switches()
        .map(|s| {
            let sep = if s.value.is_some() { "=" } else { "" };
            (format!("--{}{sep}", s.long), s)
        })
        .collect()
}

/// Each kind of value some switch takes, with the names of the switches that take it.
fn kinds(verb: Verb) -> impl Iterator<Item = (&'static str, Vec<&'static str>)> {
    ["hosts", "users", "none"]
        .into_iter()
        .filter_map(move |kind| {
            let names: Vec<&str> = verb
                .switches()
                .filter(|s| complete_kind(s) == kind)
                .flat_map(|s| s.names())
                .collect();
            (!names.is_empty()).then_some((kind, names))
        })
}

/// A word for a shell, in single quotes.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

pub(crate) fn bash(verb: Verb) -> String {
    let words = |forms: Vec<(String, &Switch)>| {
        forms
            .iter()
            .map(|(f, _)| quote(f))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let cases: String = kinds(verb)
        .map(|(kind, names)| format!("    {}) echo {kind} ;;\n", names.join("|")))
        .collect();
    let header: String = HEADER.lines().map(|l| format!("# {l}\n")).collect();
    format!(
        r#"# bash completion for {cmd}                              -*- shell-script -*-
{header}
# The kind of value a switch name takes (any letter case).
_{cmd}_kind() {{
    case ${{1,,}} in
{cases}    esac
}}

# Values of a kind, each after $2 (the switch and its separator, or nothing).
_{cmd}_values() {{
    local kind=$1 before=$2 value=$3 head=
    case $kind in
    hosts)
        if [[ $value == @* ]]; then
            compopt -o filenames
            local IFS=$'\n'
            COMPREPLY=($(compgen -P "$before@" -f -- "${{value#@}}"))
        else
            [[ $value == *,* ]] && head=${{value%,*}},
            _known_hosts_real -p "$before$head" -- "${{value##*,}}"
        fi
        ;;
    users) COMPREPLY=($(compgen -P "$before" -u -- "$value")) ;;
    esac
}}

_{cmd}() {{
    local cur prev words cword
    _init_completion -n =:@ || return
    local i
    for ((i = 1; i < cword; i++)); do
        [[ ${{words[i]}} == -- ]] && return # only the positional argument after --
    done
    local kind candidates=() c
    if [[ $prev == --* && $prev != *[:=]* ]]; then
        kind=$(_{cmd}_kind "${{prev#--}}")
    fi
    if [[ -n $kind ]]; then
        _{cmd}_values "$kind" "" "$cur"
    elif [[ $cur == [-/]*[:=]* ]]; then
        local switch=${{cur%%[:=]*}}
        local sep=${{cur:${{#switch}}:1}} name=${{switch#--}}
        kind=$(_{cmd}_kind "${{name#[-/]}}")
        _{cmd}_values "$kind" "$switch$sep" "${{cur#*[:=]}}"
    else
        if [[ $cur == -* ]]; then
            candidates=({long})
        else
            candidates=({slash})
        fi
        for c in "${{candidates[@]}}"; do
            [[ ${{c,,}} == "${{cur,,}}"* ]] && COMPREPLY+=("$c")
        done
        if [[ ${{#COMPREPLY[@]}} -eq 0 && $cur == /* ]]; then
            COMPREPLY=($(compgen -f -- "$cur")) # a terminal given as a path: /dev/pts/3
        elif [[ ${{#COMPREPLY[@]}} -eq 1 && ${{COMPREPLY[0]}} == *[:=] ]]; then
            compopt -o nospace
        fi
    fi
    # Readline replaces only what follows the last word break (: = @) in the word.
    local breaks= b
    for b in = : @; do
        [[ $COMP_WORDBREAKS == *"$b"* ]] && breaks+=$b
    done
    if [[ -n $breaks && $cur == *["$breaks"]* ]]; then
        local cut=${{cur%"${{cur##*["$breaks"]}}"}}
        COMPREPLY=("${{COMPREPLY[@]#"$cut"}}")
    fi
}} &&
    complete -F _{cmd} {cmd}
"#,
        cmd = verb.name(),
        long = words(long_forms(verb)),
        slash = words(slash_forms(verb)),
    )
}

pub(crate) fn zsh(verb: Verb) -> String {
    let l = english();
    // `_describe` entries: "word:description", a colon in the word escaped.
    let describe = |forms: Vec<(String, &Switch)>, values: bool| {
        forms
            .iter()
            .filter(|(_, s)| s.value.is_some() == values)
            .map(|(f, s)| {
                let entry = format!("{}:{}", f.replace(':', "\\:"), summary(&l, s));
                format!("    {}\n", quote(&entry))
            })
            .collect::<String>()
    };
    let cases: String = kinds(verb)
        .map(|(kind, names)| format!("    ({}) print {kind} ;;\n", names.join("|")))
        .collect();
    let header: String = HEADER.lines().map(|l| format!("# {l}\n")).collect();
    format!(
        r#"#compdef {cmd}
{header}
# The kind of value a switch name takes (any letter case).
_{cmd}_kind() {{
  case ${{(L)1}} in
{cases}  esac
}}

_{cmd}_values() {{
  case $1 in
    (hosts)
      if compset -P '@'; then
        _files
      else
        _sequence -s , _hosts
      fi
      ;;
    (users) _users ;;
    (*) _message -e values 'value' ;;
  esac
}}

_{cmd}() {{
  local kind
  # Only the positional argument after --.
  (( ${{words[(I)--]}} > 1 && ${{words[(I)--]}} < CURRENT )) && return 1
  local prev=${{words[CURRENT-1]}}
  if [[ $prev == --* && $prev != *[:=]* ]]; then
    kind=$(_{cmd}_kind ${{prev#--}})
  fi
  if [[ -n $kind ]]; then
    _{cmd}_values $kind
  elif [[ $PREFIX == [-/]*[:=]* ]]; then
    local switch=${{PREFIX%%[:=]*}}
    compset -P 1 '*[:=]'
    _{cmd}_values "$(_{cmd}_kind ${{${{switch#--}}#[-/]}})"
  elif [[ $PREFIX == -* ]]; then
    local -a flags values
    flags=(
{long_flags}    )
    values=(
{long_values}    )
    _describe -t switches 'switch' flags -- values -S ''
  else
    local -a flags values
    flags=(
{slash_flags}    )
    values=(
{slash_values}    )
    _describe -t switches 'switch' flags -- values -S '' ||
      {{ [[ $PREFIX == /* ]] && _files }}  # a terminal given as a path: /dev/pts/3
  fi
}}

_{cmd} "$@"
"#,
        cmd = verb.name(),
        long_flags = describe(long_forms(verb), false),
        long_values = describe(long_forms(verb), true),
        slash_flags = describe(slash_forms(verb), false),
        slash_values = describe(slash_forms(verb), true),
    )
}

pub(crate) fn fish(verb: Verb) -> String {
    let l = english();
    let lines = |forms: Vec<(String, &Switch)>| {
        forms
            .iter()
            .map(|(f, s)| format!("            {} {}\n", quote(f), quote(&summary(&l, s))))
            .collect::<String>()
    };
    let cases: String = kinds(verb)
        .map(|(kind, names)| {
            format!(
                "        case {}\n            echo {kind}\n",
                names.join(" ")
            )
        })
        .collect();
    let header: String = HEADER.lines().map(|l| format!("# {l}\n")).collect();
    format!(
        r#"# fish completion for {cmd}
{header}
# The kind of value a switch name takes (any letter case).
function __{cmd}_kind
    switch (string lower -- $argv[1])
{cases}    end
end

# Values of kind $argv[1], each after $argv[2] (the switch and its separator, or nothing).
function __{cmd}_values
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

function __{cmd}_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    # Only the positional argument after --.
    contains -- -- $tokens[2..-1]; and return
    set -l prev $tokens[-1]
    if string match -q -- '--*' $prev; and not string match -q -- '*[:=]*' $prev
        set -l kind (__{cmd}_kind (string sub -s 3 -- $prev))
        if test -n "$kind"
            __{cmd}_values $kind '' $cur
            return
        end
    end
    if string match -q -r -- '^[-/][^:=]*[:=]' $cur
        set -l switch (string replace -r -- '[:=].*' '' $cur)
        set -l sep (string sub -s (math (string length -- $switch) + 1) -l 1 -- $cur)
        set -l value (string sub -s (math (string length -- $switch) + 2) -- $cur)
        __{cmd}_values (__{cmd}_kind (string replace -r -- '^(--|-|/)' '' $switch)) $switch$sep "$value"
        return
    end
    if string match -q -- '-*' $cur
        printf '%s\t%s\n' \
{long}    else
        printf '%s\t%s\n' \
{slash}    end
end

complete -c {cmd} -f -a '(__{cmd}_complete)'
"#,
        cmd = verb.name(),
        long = lines(long_forms(verb)).replace("\n            ", " \\\n            "),
        slash = lines(slash_forms(verb)).replace("\n            ", " \\\n            "),
    )
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::cli::{Command, Options, parse};
    use crate::i18n::CATALOGS;

    const REGENERATE: &str = "LOGOFF_REGENERATE=1 cargo test --lib cli::generate";

    fn read(path: &str) -> String {
        let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        std::fs::read_to_string(&full).unwrap_or_default()
    }

    /// Compares `path` with what it should be; with LOGOFF_REGENERATE set, writes it instead.
    fn check(path: &str, made: &str, problems: &mut Vec<String>) {
        let current = read(path);
        if current == made {
            return;
        }
        if std::env::var_os("LOGOFF_REGENERATE").is_some() {
            let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
            if let Some(dir) = full.parent() {
                std::fs::create_dir_all(dir).expect("create the directory");
            }
            std::fs::write(&full, made).unwrap_or_else(|e| panic!("write {path}: {e}"));
            return;
        }
        let at = current
            .lines()
            .zip(made.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| current.lines().count().min(made.lines().count()));
        problems.push(format!(
            "{path} is out of date from line {}: it has {:?}, the table makes {:?}",
            at + 1,
            current.lines().nth(at).unwrap_or("(end)"),
            made.lines().nth(at).unwrap_or("(end)"),
        ));
    }

    /// A verb's generated files: man page, bash, zsh and fish completions. One file per command
    /// in each shell, where its loader looks for it by the command's name.
    fn files(verb: Verb) -> [String; 4] {
        let cmd = verb.name();
        [
            format!("doc/{cmd}.1"),
            format!("complete/{cmd}.bash"),
            format!("complete/_{cmd}"),
            format!("complete/{cmd}.fish"),
        ]
    }

    /// The committed man pages and completions are what the table and the catalogs make.
    #[test]
    fn generated_files_are_up_to_date() {
        let mut problems = vec![];
        for &verb in Verb::ALL {
            let [man, bash_file, zsh_file, fish_file] = files(verb);
            let page = man_page(verb, &read(&man))
                .unwrap_or_else(|e| panic!("{man} marks its parts: {e}"));
            check(&man, &page, &mut problems);
            check(&bash_file, &bash(verb), &mut problems);
            check(&zsh_file, &zsh(verb), &mut problems);
            check(&fish_file, &fish(verb), &mut problems);
        }
        assert!(
            problems.is_empty(),
            "{}\nMake them anew with: {REGENERATE}",
            problems.join("\n")
        );
    }

    /// The Debian package ships every verb's binary and generated files (Cargo.toml,
    /// `[package.metadata.deb]`).
    #[test]
    fn generated_files_are_packaged() {
        let manifest = read("Cargo.toml");
        for &verb in Verb::ALL {
            let cmd = verb.name();
            let binary = format!("target/release/{cmd}");
            for path in files(verb).iter().chain([&binary]) {
                assert!(
                    manifest.contains(&format!("[\"{path}\", ")),
                    "Cargo.toml's deb assets lack {path}"
                );
            }
            // bash-completion loads a command's completion from the file named as the command.
            let bash = format!(
                "[\"complete/{cmd}.bash\", \"usr/share/bash-completion/completions/{cmd}\", "
            );
            assert!(manifest.contains(&bash), "Cargo.toml: {bash}");
        }
    }

    #[test]
    fn man_page_parts_must_be_marked() {
        let title = ".TH LOGOFF 1 \"2026-01-01\" \"logoff 0.0.0\" \"User Commands\"\n";
        let parts = |names: &[&str]| -> String {
            names
                .iter()
                .map(|n| format!("{BEGIN}{n}\nSTALE\n{END}{n}\n"))
                .collect()
        };
        let all = parts(&PARTS);
        let made = man_page(Verb::Logoff, &format!("{title}{all}")).expect("well formed");
        assert!(made.contains(&format!("\"logoff {}\"", env!("CARGO_PKG_VERSION"))));
        assert!(made.contains("\"2026-01-01\""));
        assert!(!made.contains("STALE"));
        assert!(made.contains("\\fB\\-\\-server=\\fIservername\\fR"));
        // Made again, nothing changes.
        assert_eq!(man_page(Verb::Logoff, &made), Ok(made.clone()));

        let cases = [
            (all.clone(), GenerateError::NoTitle),
            (
                format!("{title}{}", parts(&["synopsis", "options"])),
                GenerateError::Missing("arguments"),
            ),
            (
                format!("{title}{all}{}", parts(&["options"])),
                GenerateError::Twice("options".into()),
            ),
            (
                format!("{title}{all}{BEGIN}examples\n"),
                GenerateError::Unknown("examples".into()),
            ),
            (
                format!("{title}{BEGIN}synopsis\n{END}options\n"),
                GenerateError::Unterminated("synopsis".into()),
            ),
            (format!(".TH LOGOFF 1\n{all}"), GenerateError::NoTitle),
        ];
        for (page, error) in cases {
            assert_eq!(man_page(Verb::Logoff, &page), Err(error), "{page}");
        }
    }

    #[test]
    fn summaries_are_short() {
        let l = english();
        let force = Verb::Logoff.find("force").expect("in the table");
        assert_eq!(summary(&l, force), "Also log off a console session");
        let server = Verb::Logoff.find("server").expect("in the table");
        assert_eq!(
            summary(&l, server),
            "Session host that holds the session, reached with ssh"
        );
    }

    #[test]
    fn roff_escapes() {
        assert_eq!(roff("a-b <x> c\\d"), "a\\-b \\fIx\\fR c\\ed\n");
        assert_eq!(roff("One. Two.\u{a0}x"), "One.\nTwo.\\ x\n");
        assert_eq!(roff("x. .y"), "x.\n\\&.y\n");
    }

    /// Names are what the grammar can reach: ASCII, no separator or slash, unique per verb.
    #[test]
    fn table_names_are_well_formed_and_unique() {
        for &verb in Verb::ALL {
            let mut names: Vec<&str> = vec![];
            let mut keys = vec![];
            for s in verb.switches() {
                assert!(!keys.contains(&s.key), "{:?} twice", s.key);
                keys.push(s.key);
                assert!(s.long.len() > 1, "--{} is not a long name", s.long);
                for name in s.names() {
                    let ok = name == "?"
                        || (name.starts_with(|c: char| c.is_ascii_lowercase())
                            && name
                                .chars()
                                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
                    assert!(ok, "{name:?}: not a switch name the grammar can reach");
                    assert!(!names.contains(&name), "{name:?} names two switches");
                    names.push(name);
                }
            }
            for form in verb.synopsis() {
                for term in *form {
                    check_term(verb, term);
                }
            }
        }
    }

    fn check_term(verb: Verb, term: &Term) {
        match term {
            Term::Optional(terms) | Term::Choice(terms) => {
                terms.iter().for_each(|t| check_term(verb, t));
            }
            Term::Operand(o) => assert!(o.verbs.contains(&verb), "{} in {verb:?}", o.name),
            Term::Switch(s, form) => {
                assert!(s.verbs.contains(&verb), "/{} in {verb:?}", s.name);
                let hosts = matches!(s.value.as_ref().map(|v| v.kind), Some(Kind::Hosts));
                assert!(*form == Form::One || hosts, "/{}: {form:?}", s.name);
            }
        }
    }

    /// Every name of every switch of every verb, after every prefix, reaches that switch, and
    /// its value's range is the one the parser applies.
    #[test]
    fn every_name_in_the_table_parses() {
        for &verb in Verb::ALL {
            every_name_parses(verb);
        }
    }

    fn every_name_parses(verb: Verb) {
        // `/server` on logoff needs a target; `/user` is the one every host has.
        let target: &[&str] = if verb == Verb::Logoff {
            &["/user:u"]
        } else {
            &[]
        };
        for s in verb.switches() {
            for name in s.names() {
                for prefix in ["/", "-", "--"] {
                    let arg = format!("{prefix}{name}");
                    let value = |v: &str| {
                        let mut line = vec![format!("{arg}:{v}")];
                        line.extend(target.iter().map(|t| t.to_string()));
                        line
                    };
                    let line = match s.value.as_ref().map(|v| v.kind) {
                        None => vec![arg.clone()],
                        Some(Kind::Hosts) => value("h"),
                        Some(Kind::User) => vec![format!("{arg}:u")],
                        Some(Kind::Seconds { max, .. }) => value(&max.as_secs().to_string()),
                        Some(Kind::Count { max, .. }) => value(&max.to_string()),
                        Some(Kind::Text) => value("t"),
                        Some(Kind::Duration) => value("366d"),
                        Some(Kind::State) => value("disc"),
                        Some(Kind::Backend) => value("proc"),
                    };
                    match parse(verb, &line) {
                        Ok(Command::Help) => assert_eq!(s.name, "?"),
                        Ok(Command::Version) => assert_eq!(s.name, "version"),
                        Ok(Command::Logoff(o)) if verb == Verb::Logoff => {
                            assert_ne!(o, Options::default(), "{line:?} changed nothing")
                        }
                        Ok(Command::Query(o)) if verb != Verb::Logoff => {
                            assert_ne!(o, Options::default(), "{line:?} changed nothing")
                        }
                        other => panic!("{verb:?} {line:?}: {other:?}"),
                    }
                    let too_big = match s.value.as_ref().map(|v| v.kind) {
                        Some(Kind::Seconds { max, .. }) => (max.as_secs() + 1).to_string(),
                        Some(Kind::Count { max, .. }) => (max + 1).to_string(),
                        Some(Kind::Duration) => "366d1s".to_string(),
                        _ => continue,
                    };
                    let line = [format!("{arg}:{too_big}")];
                    assert!(parse(verb, &line).is_err(), "{line:?} accepted");
                }
            }
        }
    }

    /// Message ids in a catalog, from its unindented `id = …` lines.
    fn ids(src: &str) -> Vec<&str> {
        src.lines()
            .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|line| line.split_once(" =").map(|(id, _)| id))
            .collect()
    }

    /// Every text the table names is in every catalog, and every help text in the English
    /// catalog belongs to the table.
    #[test]
    fn catalogs_have_the_table_texts() {
        let mut used = vec!["help-usage", FILE_VALUE];
        for &verb in Verb::ALL {
            let (intro, after) = verb.help_texts();
            used.push(intro);
            used.extend(after);
            for o in verb.operands() {
                used.extend([o.name, o.help]);
            }
            for s in verb.switches() {
                used.push(s.help);
                used.extend(s.value.as_ref().map(|v| v.name));
            }
        }
        for (tag, src) in CATALOGS {
            let ids = ids(src);
            for id in &used {
                assert!(ids.contains(id), "{tag}.ftl has no '{id}'");
            }
            for id in ids.iter().filter(|id| id.starts_with("help-")) {
                assert!(
                    used.contains(id),
                    "{tag}.ftl: '{id}' is not in the switch table"
                );
            }
        }
    }

    /// Switches named in running text (`/server:a,b`, `--user NAME`, `-v`): after `/`, `-`
    /// or `--` at the start of a word, up to anything that can't be in a name.
    fn mentions(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = vec![];
        for (i, &c) in chars.iter().enumerate() {
            let starts_word = i == 0 || {
                let p = chars[i - 1];
                !(p.is_alphanumeric() || "/-._:@~\\".contains(p))
            };
            if !starts_word || !matches!(c, '/' | '-') {
                continue;
            }
            let mut j = i + 1;
            if c == '-' && chars.get(j) == Some(&'-') {
                j += 1;
            }
            let name: String = chars[j..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == '-' || **c == '?')
                .collect();
            let after = chars.get(j + name.chars().count());
            // A path (`/dev/log`) or a lone prefix (`--` ends the switches) names no switch.
            if name.is_empty() || after == Some(&'/') {
                continue;
            }
            out.push(chars[i..j].iter().collect::<String>() + &name);
        }
        out
    }

    #[test]
    fn mentions_are_found() {
        assert_eq!(
            mentions("-v、--verbose、/server:a (/dev/log) pts/3 -- x Ctrl-C “/user”"),
            ["-v", "--verbose", "/server", "/user"]
        );
    }

    /// The catalogs and the man pages' prose name only switches the table has; a man page, only
    /// switches of its own verb.
    #[test]
    fn texts_mention_only_real_switches() {
        // Other programs' options, in the man pages; the proc file system; the agent's switch
        // (internal: the man page describes it, `/?` does not offer it).
        const NOT_OURS: &[&str] = &["-xT", "-H", "/proc", "--agent"];
        let man = |verb: Verb| {
            let path = format!("doc/{}.1", verb.name());
            let text = read(&path)
                .lines()
                .filter(|line| !line.starts_with(".\\\""))
                .collect::<Vec<_>>()
                .join("\n")
                .replace("\\-", "-")
                .replace("\\fB", " ")
                .replace("\\fI", " ")
                .replace("\\fR", " ");
            (path, text, vec![verb])
        };
        let texts = CATALOGS
            .iter()
            .map(|(tag, src)| (format!("{tag}.ftl"), src.to_string(), Verb::ALL.to_vec()))
            .chain(Verb::ALL.iter().map(|&v| man(v)));
        let mut problems = vec![];
        for (file, text, verbs) in texts {
            for m in mentions(&text) {
                let name = m.trim_start_matches(['-', '/']);
                let known = verbs.iter().any(|v| v.find(name).is_some());
                if !known && !NOT_OURS.contains(&m.as_str()) {
                    problems.push(format!("{file} mentions {m}, which is no switch there"));
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
}
