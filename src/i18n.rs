//! Localized messages: Fluent catalogs embedded in the binary, one per language, chosen from
//! `LC_ALL` / `LC_MESSAGES` / `LANG` like any POSIX program, with English as the fallback for a
//! language we lack and for a message a catalog lacks.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// (language tag, catalog). English first: it is the fallback.
pub const CATALOGS: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.ftl")),
    ("es", include_str!("../locales/es.ftl")),
    ("zh-CN", include_str!("../locales/zh-CN.ftl")),
];

pub struct Localizer {
    primary: Option<FluentBundle<FluentResource>>,
    english: FluentBundle<FluentResource>,
}

fn bundle(tag: &str, source: &str) -> FluentBundle<FluentResource> {
    let lang: LanguageIdentifier = tag.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![lang]);
    // No Unicode isolation marks: the output is a terminal or a log, not a bidi text widget.
    b.set_use_isolating(false);
    // The catalogs are ours and tested (tests/i18n.rs); a broken entry only loses that entry.
    let res = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(res, _)| res);
    let _ = b.add_resource(res);
    b
}

/// The catalog tag for a POSIX locale value such as `es_ES.UTF-8`, `zh_CN`, `C`.
pub fn catalog_for(locale: &str) -> Option<&'static str> {
    let base = locale.split(['.', '@']).next().unwrap_or("");
    let mut parts = base.split(['_', '-']);
    let lang = parts.next().unwrap_or("").to_ascii_lowercase();
    let region = parts.next().unwrap_or("").to_ascii_uppercase();
    match (lang.as_str(), region.as_str()) {
        ("es", _) => Some("es"),
        // Simplified Chinese: mainland China, Singapore, or no region given.
        ("zh", "CN" | "SG" | "") => Some("zh-CN"),
        ("en", _) => Some("en"),
        _ => None,
    }
}

/// The locale value in force: the first non-empty of LC_ALL, LC_MESSAGES, LANG.
pub(crate) fn locale_from_env(get: impl Fn(&str) -> Option<String>) -> String {
    ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|v| get(v))
        .find(|v| !v.is_empty())
        .unwrap_or_default()
}

impl Localizer {
    pub fn from_env() -> Self {
        Self::for_locale(&locale_from_env(|v| std::env::var(v).ok()))
    }

    pub fn for_locale(locale: &str) -> Self {
        let english = bundle("en", CATALOGS[0].1);
        let primary = catalog_for(locale)
            .filter(|tag| *tag != "en")
            .and_then(|tag| CATALOGS.iter().find(|(t, _)| *t == tag))
            .map(|(tag, src)| bundle(tag, src));
        Localizer { primary, english }
    }

    /// The message `id` with `args`, in the chosen language, else English, else the id itself.
    pub fn tr(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let mut fargs = FluentArgs::new();
        for (k, v) in args {
            match v {
                Arg::S(s) => fargs.set(*k, FluentValue::from(s.as_str())),
                Arg::N(n) => fargs.set(*k, FluentValue::from(*n)),
            }
        }
        for b in self.primary.iter().chain(std::iter::once(&self.english)) {
            if let Some(pattern) = b.get_message(id).and_then(|m| m.value()) {
                let mut errors = vec![];
                return b
                    .format_pattern(pattern, Some(&fargs), &mut errors)
                    .into_owned();
            }
        }
        id.to_owned()
    }
}

/// Columns a character takes in a terminal: CJK ideographs, kana, Hangul and full-width forms
/// take two.
pub fn char_width(c: char) -> usize {
    match c as u32 {
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6 => 2,
        _ => 1,
    }
}

/// Columns `s` takes in a terminal.
pub fn width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Text from users or hosts, made safe to show: control characters (escape sequences, newlines,
/// carriage returns), bidirectional overrides and line separators are shown escaped (`\u{1b}`),
/// so no argument, host name, session property or ssh message can drive the terminal, reorder
/// what is shown, or turn one line into several.
pub(crate) fn clean(s: &str) -> String {
    let unsafe_char = |c: char| {
        c.is_control()
            || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{FEFF}')
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || ('\u{2028}'..='\u{2029}').contains(&c)
    };
    if !s.chars().any(unsafe_char) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A message argument: text or a number (numbers pick plural forms). Text is [`clean`]ed on the
/// way in: every message argument is shown safely, whoever builds it.
#[derive(Debug, Clone)]
pub enum Arg {
    S(String),
    N(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::S(clean(s))
    }
}
impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::S(clean(&s))
    }
}
impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::S(clean(s))
    }
}
impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        Arg::N(n as f64)
    }
}
impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::N(f64::from(n))
    }
}
impl From<f64> for Arg {
    fn from(n: f64) -> Self {
        Arg::N(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_names() {
        assert_eq!(catalog_for("es_ES.UTF-8"), Some("es"));
        assert_eq!(catalog_for("es_MX"), Some("es"));
        assert_eq!(catalog_for("zh_CN.UTF-8"), Some("zh-CN"));
        assert_eq!(catalog_for("zh_TW.UTF-8"), None);
        assert_eq!(catalog_for("C.UTF-8"), None);
        assert_eq!(catalog_for("POSIX"), None);
        assert_eq!(catalog_for(""), None);
        assert_eq!(catalog_for("en_US.UTF-8"), Some("en"));
        assert_eq!(catalog_for("de_DE.UTF-8"), None);
    }

    #[test]
    fn env_precedence() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            locale_from_env(env(&[("LANG", "es_ES"), ("LC_ALL", "zh_CN")])),
            "zh_CN"
        );
        assert_eq!(
            locale_from_env(env(&[("LANG", "es_ES"), ("LC_ALL", "")])),
            "es_ES"
        );
        assert_eq!(
            locale_from_env(env(&[("LANG", "es_ES"), ("LC_MESSAGES", "C")])),
            "C"
        );
        assert_eq!(locale_from_env(env(&[])), "");
    }

    #[test]
    fn clean_neutralises_what_could_drive_a_terminal() {
        assert_eq!(clean("pts/3"), "pts/3");
        assert_eq!(clean("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\n");
        assert_eq!(clean("x\ry"), "x\\ry");
        assert_eq!(clean("\u{9b}31m"), "\\u{9b}31m");
        assert_eq!(clean("abc\u{202E}fed"), "abc\\u{202e}fed");
        assert_eq!(clean("a\u{2066}b\u{2028}c"), "a\\u{2066}b\\u{2028}c");
        assert_eq!(clean("用户"), "用户");
        let Arg::S(s) = Arg::from("evil\u{1b}]0;title\u{7}") else {
            panic!()
        };
        assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'));
    }

    #[test]
    fn falls_back_to_english_then_id() {
        let l = Localizer::for_locale("de_DE.UTF-8");
        assert!(l.tr("help-usage", &[]).contains("Usage"));
        assert_eq!(l.tr("no-such-message-id", &[]), "no-such-message-id");
    }
}
