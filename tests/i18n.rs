//! The Fluent catalogs: well-formed, in step with the English reference, fully formattable, and
//! really used by the binary (help and usage errors in the language of LC_ALL/LC_MESSAGES/LANG).

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use logoff::cli::{self, Verb};
use logoff::i18n::{Arg, CATALOGS, Localizer, catalog_for, width};
use unic_langid::LanguageIdentifier;

/// Variables that hold numbers (counts, durations, PIDs); every other variable holds text.
const NUMERIC: &[&str] = &[
    "count", "sessions", "ok", "total", "failed", "done", "ms", "secs", "pid",
];

/// Messages whose translation may legitimately be identical to the English text: placeholders
/// such as `<n>`, which the Chinese help keeps in English.
const SAME_IN_EVERY_LANGUAGE: &[&str] = &[
    "version",
    "process-line",
    "q-id",
    "help-value-sessionname",
    "help-value-sessionid",
    "help-value-servername",
    "help-value-username",
    "help-value-file",
    "help-value-seconds",
    "help-value-n",
    // A notice's frame and its units of time: the same signs in English and Spanish.
    "notice",
    "notice-seconds",
    "notice-minutes",
];

fn english() -> &'static str {
    let (tag, src) = CATALOGS[0];
    assert_eq!(
        tag, "en",
        "English must be the first catalog: it is the fallback"
    );
    src
}

/// The `$name` variables referenced in a piece of FTL text.
fn variables(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split('$').skip(1).filter_map(|rest| {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
            .collect();
        name.starts_with(|c: char| c.is_ascii_alphabetic())
            .then_some(name)
    })
}

/// Message id → the variables its value references, from a plain scan of the FTL source:
/// an entry starts on an unindented line `id = …`, continues on indented and blank lines, and
/// ends at the next unindented line (another message or a comment).
fn scan(tag: &str, src: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut messages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, line) in src.lines().enumerate() {
        match line.chars().next() {
            None | Some(' ') => {}
            Some('#') => {
                current = None;
                continue;
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let Some((id, _)) = line.split_once('=') else {
                    panic!("{tag}.ftl:{}: not a message: {line:?}", n + 1);
                };
                let id = id.trim().to_owned();
                assert!(
                    !messages.contains_key(&id),
                    "{tag}.ftl:{}: message '{id}' defined twice",
                    n + 1
                );
                messages.insert(id.clone(), BTreeSet::new());
                current = Some(id);
            }
            Some(_) => panic!("{tag}.ftl:{}: unexpected line {line:?}", n + 1),
        }
        let Some(id) = &current else {
            assert!(
                line.trim().is_empty(),
                "{tag}.ftl:{}: text outside a message: {line:?}",
                n + 1
            );
            continue;
        };
        let text = if line.starts_with(' ') {
            line
        } else {
            line.split_once('=').map_or("", |(_, value)| value)
        };
        messages
            .get_mut(id)
            .expect("current message is known")
            .extend(variables(text));
    }
    messages
}

fn resource(tag: &str, src: &str) -> FluentResource {
    FluentResource::try_new(src.to_owned())
        .unwrap_or_else(|(_, errors)| panic!("{tag}.ftl does not parse: {errors:#?}"))
}

fn bundle(tag: &str, src: &str) -> FluentBundle<FluentResource> {
    let lang: LanguageIdentifier = tag
        .parse()
        .unwrap_or_else(|e| panic!("bad language tag {tag}: {e}"));
    let mut b = FluentBundle::new(vec![lang]);
    b.set_use_isolating(false);
    b.add_resource(resource(tag, src))
        .unwrap_or_else(|errors| panic!("{tag}.ftl has conflicting entries: {errors:#?}"));
    b
}

/// Plausible arguments for `vars`: `n` for the numeric ones, `«name»` for the text ones.
fn args_for(vars: &BTreeSet<String>, n: i64) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    for v in vars {
        if NUMERIC.contains(&v.as_str()) {
            args.set(v.clone(), FluentValue::from(n));
        } else {
            args.set(v.clone(), FluentValue::from(format!("«{v}»")));
        }
    }
    args
}

fn format(b: &FluentBundle<FluentResource>, tag: &str, id: &str, args: &FluentArgs) -> String {
    let msg = b
        .get_message(id)
        .unwrap_or_else(|| panic!("{tag}: no message '{id}'"));
    let pattern = msg
        .value()
        .unwrap_or_else(|| panic!("{tag}: message '{id}' has no value"));
    let mut errors = vec![];
    let text = b
        .format_pattern(pattern, Some(args), &mut errors)
        .into_owned();
    assert!(
        errors.is_empty(),
        "{tag}: formatting '{id}' with {args:?} gives errors {errors:?} (text: {text:?})"
    );
    text
}

#[test]
fn every_catalog_parses() {
    assert_eq!(
        CATALOGS.iter().map(|(tag, _)| *tag).collect::<Vec<_>>(),
        ["en", "es", "zh-CN"]
    );
    for (tag, src) in CATALOGS {
        resource(tag, src);
        let b = bundle(tag, src);
        // The scanner used by the other tests sees exactly what the parser sees.
        for id in scan(tag, src).keys() {
            let msg = b
                .get_message(id)
                .unwrap_or_else(|| panic!("{tag}: the parser has no message '{id}'"));
            assert!(msg.value().is_some(), "{tag}: message '{id}' has no value");
        }
    }
}

#[test]
fn catalogs_have_the_same_messages() {
    let reference: BTreeSet<String> = scan("en", english()).into_keys().collect();
    assert!(reference.len() > 50, "the English catalog looks truncated");
    let mut problems = vec![];
    for (tag, src) in &CATALOGS[1..] {
        let ids: BTreeSet<String> = scan(tag, src).into_keys().collect();
        let missing: Vec<_> = reference.difference(&ids).collect();
        let extra: Vec<_> = ids.difference(&reference).collect();
        if !missing.is_empty() {
            problems.push(format!("{tag}.ftl is missing {missing:?}"));
        }
        if !extra.is_empty() {
            problems.push(format!("{tag}.ftl has extra messages {extra:?}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn messages_use_the_same_variables() {
    let reference = scan("en", english());
    let mut problems = vec![];
    for (tag, src) in &CATALOGS[1..] {
        for (id, vars) in scan(tag, src) {
            let Some(expected) = reference.get(&id) else {
                continue; // reported by catalogs_have_the_same_messages
            };
            if vars != *expected {
                problems.push(format!(
                    "{tag}.ftl '{id}': variables {vars:?}, English has {expected:?}"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_message_formats_in_every_language() {
    let english_bundle = bundle("en", english());
    let reference = scan("en", english());
    for (tag, src) in CATALOGS {
        let b = bundle(tag, src);
        for (id, vars) in scan(tag, src) {
            let en_vars = reference.get(&id);
            for n in [0, 1, 5] {
                let args = args_for(&vars, n);
                let text = format(&b, tag, &id, &args);
                assert!(
                    !text.contains('{') && !text.contains('}'),
                    "{tag} '{id}' (n = {n}): unresolved placeable in {text:?}"
                );
                for v in vars.iter().filter(|v| !NUMERIC.contains(&v.as_str())) {
                    assert!(
                        text.contains(&format!("«{v}»")),
                        "{tag} '{id}' (n = {n}): ${v} is not shown in {text:?}"
                    );
                }
                // Nothing left in English by mistake.
                if let (false, Some(en_vars)) = (*tag == "en", en_vars) {
                    let en_text = format(&english_bundle, "en", &id, &args_for(en_vars, n));
                    if !SAME_IN_EVERY_LANGUAGE.contains(&id.as_str()) {
                        assert_ne!(text, en_text, "{tag} '{id}' (n = {n}) is not translated");
                    }
                }
            }
            // Every number English shows (in the plural "other" forms) is shown too: each
            // numeric variable gets its own value, so none can stand in for another.
            let (false, Some(en_vars)) = (*tag == "en", en_vars) else {
                continue;
            };
            let distinct = |vars: &BTreeSet<String>| {
                let mut args = args_for(vars, 0);
                for (i, v) in NUMERIC.iter().enumerate() {
                    if vars.contains(*v) {
                        args.set(*v, FluentValue::from(1001 + i as i64));
                    }
                }
                args
            };
            let text = format(&b, tag, &id, &distinct(&vars));
            let en_text = format(&english_bundle, "en", &id, &distinct(en_vars));
            for (i, v) in NUMERIC.iter().enumerate() {
                let shown = (1001 + i).to_string();
                if en_text.contains(&shown) {
                    assert!(
                        text.contains(&shown),
                        "{tag} '{id}': English shows ${v} ({en_text:?}), {text:?} does not"
                    );
                }
            }
        }
    }
}

#[test]
fn plural_forms_are_chosen() {
    let host_ok = |locale: &str, n: usize| {
        Localizer::for_locale(locale).tr(
            "host-ok",
            &[
                ("host", "h".into()),
                ("count", n.into()),
                ("secs", "1.50".into()),
            ],
        )
    };
    let cases = [
        ("C", 0, "h: no session to end (1.50 s)"),
        ("C", 1, "h: 1 session ended (1.50 s)"),
        ("C", 5, "h: 5 sessions ended (1.50 s)"),
        ("es_ES.UTF-8", 0, "h: ninguna sesión que cerrar (1.50 s)"),
        ("es_ES.UTF-8", 1, "h: 1 sesión cerrada (1.50 s)"),
        ("es_ES.UTF-8", 5, "h: 5 sesiones cerradas (1.50 s)"),
        ("zh_CN.UTF-8", 0, "h：没有要结束的会话（1.50 秒）"),
        ("zh_CN.UTF-8", 1, "h：已结束 1 个会话（1.50 秒）"),
        ("zh_CN.UTF-8", 5, "h：已结束 5 个会话（1.50 秒）"),
    ];
    for (locale, n, expected) in cases {
        assert_eq!(host_ok(locale, n), expected, "{locale}, {n}");
    }
    let es = Localizer::for_locale("es_MX.UTF-8");
    let waiting = |n: usize| {
        es.tr(
            "v-waiting",
            &[
                ("host", "h".into()),
                ("count", n.into()),
                ("secs", Arg::N(10.0)),
            ],
        )
    };
    assert_eq!(
        waiting(1),
        "Esperando hasta 10 s a que termine la sesión en h"
    );
    assert_eq!(
        waiting(3),
        "Esperando hasta 10 s a que terminen las 3 sesiones en h"
    );
}

#[test]
fn help_fits_a_terminal_and_keeps_its_columns() {
    for (tag, locale) in [("en", "C"), ("es", "es_ES.UTF-8"), ("zh-CN", "zh_CN.UTF-8")] {
        let l = Localizer::for_locale(locale);
        for &verb in Verb::ALL {
            let (help, usage) = (cli::help(&l, verb), cli::usage(&l, verb));
            for (id, text) in [("help", &help), ("usage", &usage)] {
                for line in text.lines() {
                    assert!(
                        width(line) <= 79,
                        "{tag} {verb:?} '{id}': too wide: {line:?}"
                    );
                    assert_eq!(
                        line,
                        line.trim_end(),
                        "{tag} {verb:?} '{id}': trailing blanks"
                    );
                }
            }
            // Switch lines ("  /v   Display …") and their continuation lines share one column;
            // a switch too long for it stands alone on its line. Only the list: the usage's
            // own continuation lines (a long synopsis wraps) line up under the command.
            let is_entry =
                |line: &str| line.starts_with("  ") && line[2..].starts_with(['/', '<', '-']);
            let list = help
                .split("\n\n")
                .find(|block| block.lines().next().is_some_and(is_entry))
                .unwrap_or_else(|| panic!("{tag} {verb:?}: no list of switches in {help}"));
            let mut columns = BTreeSet::new();
            let mut alone = 0;
            for line in list.lines() {
                let indent = line.len() - line.trim_start().len();
                if is_entry(line) {
                    let token = line[2..].split(' ').next().unwrap_or("");
                    let rest = &line[2 + token.len()..];
                    if rest.is_empty() {
                        alone += 1;
                        continue;
                    }
                    let gap = rest.len() - rest.trim_start().len();
                    columns.insert(2 + width(token) + gap);
                } else if indent > 10 {
                    columns.insert(indent);
                }
            }
            assert_eq!(
                columns.len(),
                1,
                "{tag} {verb:?}: help columns at {columns:?}"
            );
            assert!(
                alone <= 1,
                "{tag} {verb:?}: {alone} switches on lines of their own"
            );
        }
    }
}

/// The help lists every switch and operand of its verb, in the same order, in every language.
#[test]
fn help_lists_the_same_switches_in_every_language() {
    let tokens = |locale: &str, verb: Verb| -> Vec<String> {
        cli::help(&Localizer::for_locale(locale), verb)
            .lines()
            .filter(|line| line.starts_with("  ") && line[2..].starts_with(['/', '<', '-']))
            .map(|line| {
                let token = line[2..].split(' ').next().unwrap_or("");
                // The switch without its (translated) value name.
                token.split(['<', ':', '=']).next().unwrap_or("").to_owned()
            })
            .collect()
    };
    let query: &[&str] = &[
        "",
        "",
        "",
        "/server",
        "/json",
        "/connect-timeout",
        "/parallel",
        "--backend",
        "/?",
        "--version",
    ];
    let cases: [(Verb, &[&str]); 3] = [
        (
            Verb::Logoff,
            &[
                "",
                "",
                "/server",
                "/user",
                "/v",
                "/whatif",
                "/json",
                "/msg",
                "/delay",
                "/idle",
                "/disconnected",
                "/state",
                "/y",
                "/force",
                "/timeout",
                "/connect-timeout",
                "/parallel",
                "--backend",
                "/?",
                "--version",
            ],
        ),
        (Verb::Qwinsta, query),
        (Verb::Quser, query),
    ];
    for (verb, expected) in cases {
        let english = tokens("C", verb);
        assert_eq!(english, expected, "{verb:?}");
        for locale in ["es_ES.UTF-8", "zh_CN.UTF-8"] {
            assert_eq!(tokens(locale, verb), english, "{verb:?} {locale}");
        }
    }
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_logoff"));
    cmd.args(args);
    for var in ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run the logoff binary")
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Lang {
    En,
    Es,
    Zh,
}

/// Environments and the locale value that must win in each; with it, the expected language.
/// Environment variables set for one run (all other locale variables are removed).
type Env = &'static [(&'static str, &'static str)];

const ENVIRONMENTS: &[(Env, &str, Lang)] = &[
    (&[("LANG", "es_ES.UTF-8")], "es_ES.UTF-8", Lang::Es),
    (&[("LANG", "zh_CN.UTF-8")], "zh_CN.UTF-8", Lang::Zh),
    (&[("LANG", "C")], "C", Lang::En),
    (&[("LANG", "de_DE.UTF-8")], "de_DE.UTF-8", Lang::En),
    (&[("LC_ALL", "es_ES.UTF-8")], "es_ES.UTF-8", Lang::Es),
    (&[("LC_ALL", "zh_CN.UTF-8")], "zh_CN.UTF-8", Lang::Zh),
    (&[("LC_ALL", "C")], "C", Lang::En),
    (&[("LC_ALL", "de_DE.UTF-8")], "de_DE.UTF-8", Lang::En),
    (&[], "", Lang::En),
    // LC_ALL wins over LANG (and over LC_MESSAGES).
    (
        &[("LC_ALL", "zh_CN.UTF-8"), ("LANG", "es_ES.UTF-8")],
        "zh_CN.UTF-8",
        Lang::Zh,
    ),
    (&[("LC_ALL", "C"), ("LANG", "es_ES.UTF-8")], "C", Lang::En),
    (
        &[
            ("LC_ALL", "es_ES.UTF-8"),
            ("LC_MESSAGES", "zh_CN.UTF-8"),
            ("LANG", "C"),
        ],
        "es_ES.UTF-8",
        Lang::Es,
    ),
    // LC_MESSAGES wins over LANG.
    (
        &[("LC_MESSAGES", "es_ES.UTF-8"), ("LANG", "zh_CN.UTF-8")],
        "es_ES.UTF-8",
        Lang::Es,
    ),
    (
        &[("LC_MESSAGES", "C"), ("LANG", "zh_CN.UTF-8")],
        "C",
        Lang::En,
    ),
    // An empty LC_ALL (or LC_MESSAGES) is ignored.
    (
        &[("LC_ALL", ""), ("LANG", "es_ES.UTF-8")],
        "es_ES.UTF-8",
        Lang::Es,
    ),
    (
        &[("LC_ALL", ""), ("LC_MESSAGES", ""), ("LANG", "zh_CN.UTF-8")],
        "zh_CN.UTF-8",
        Lang::Zh,
    ),
];

fn check_catalog(locale: &str, lang: Lang) {
    let expected = match lang {
        Lang::En => None,
        Lang::Es => Some("es"),
        Lang::Zh => Some("zh-CN"),
    };
    let tag = catalog_for(locale).filter(|t| *t != "en");
    assert_eq!(tag, expected, "catalog for {locale:?}");
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

#[test]
fn binary_prints_localized_help() {
    let english_help = cli::help(&Localizer::for_locale("C"), Verb::Logoff);
    assert!(english_help.starts_with("Logs a user off"));
    for &(env, locale, lang) in ENVIRONMENTS {
        check_catalog(locale, lang);
        let help = cli::help(&Localizer::for_locale(locale), Verb::Logoff);
        match lang {
            Lang::En => assert_eq!(help, english_help, "{locale:?}"),
            Lang::Es => {
                assert_ne!(help, english_help);
                assert!(help.contains("Cierra la sesión"), "{help}");
                assert!(help.contains("modificadores"), "{help}");
            }
            Lang::Zh => {
                assert_ne!(help, english_help);
                assert!(help.contains("注销"), "{help}");
                assert!(help.contains("用法"), "{help}");
            }
        }
        for switch in ["/?", "-?", "--help"] {
            let o = run(&[switch], env);
            assert_eq!(o.status.code(), Some(0), "{switch} with {env:?}: {o:?}");
            assert_eq!(stdout(&o), format!("{help}\n"), "{switch} with {env:?}");
            assert_eq!(stderr(&o), "", "{switch} with {env:?}");
        }
    }
}

#[test]
fn binary_reports_a_bad_switch_in_the_user_language() {
    for &(env, locale, lang) in ENVIRONMENTS {
        let l = Localizer::for_locale(locale);
        let detail = l.tr("err-unknown-switch", &[("switch", "/bogus".into())]);
        let first = format!(
            "logoff: {}",
            l.tr("err-invalid", &[("detail", detail.into())])
        );
        let expected_start = match lang {
            Lang::En => "logoff: Invalid parameter(s): ",
            Lang::Es => "logoff: Parámetros no válidos: ",
            Lang::Zh => "logoff: 参数无效：",
        };
        assert!(first.starts_with(expected_start), "{first}");
        assert!(first.contains("/bogus"), "{first}");

        let o = run(&["/bogus"], env);
        assert_eq!(o.status.code(), Some(2), "/bogus with {env:?}: {o:?}");
        assert_eq!(stdout(&o), "", "/bogus with {env:?}");
        let err = stderr(&o);
        let (line1, rest) = err.split_once('\n').unwrap_or((&err, ""));
        assert_eq!(line1, first, "/bogus with {env:?}");
        assert_eq!(
            rest,
            format!("{}\n", cli::usage(&l, Verb::Logoff)),
            "/bogus with {env:?}"
        );
    }
}
