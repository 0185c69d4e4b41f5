//! `/?` and the usage shown after a bad command line, in the user's language: the layout comes
//! from the switch table, the words from the catalog texts it names.

use std::time::Duration;

use super::table::{FILE_VALUE, Form, Key, Kind, Operand, Shown, Switch, Term, Verb};
use crate::i18n::{Arg, Localizer};
use crate::i18n::{char_width, width};

/// No line is wider (in terminal columns), so an 80-column terminal never wraps one.
pub(crate) const WIDTH: usize = 79;
/// Switches in the list start here.
const INDENT: usize = 2;
/// Texts start one column after the widest switch up to this width; a wider switch has its
/// text on the lines below it, so one long name does not squeeze every text.
const MAX_TOKEN: usize = 20;

/// The `/?` text for `verb`: only its own switches.
pub fn help(l: &Localizer, verb: Verb) -> String {
    let (intro, after) = verb.help_texts();
    let mut out = vec![l.tr(intro, &[]), String::new()];
    let forms = verb.synopsis().iter().filter(|form| !is_help(form));
    out.extend(synopsis(l, verb, forms));
    out.push(String::new());
    out.extend(list(&entries(l, verb)));
    for id in after {
        out.push(String::new());
        out.push(l.tr(id, &[]));
    }
    out.join("\n")
}

/// The usage for `verb`, shown after a bad command line.
pub fn usage(l: &Localizer, verb: Verb) -> String {
    synopsis(l, verb, verb.synopsis().iter()).join("\n")
}

/// A form that is only the help switch: pointless inside the help itself.
fn is_help(form: &[Term]) -> bool {
    matches!(form, [Term::Switch(s, _)] if s.key == Key::Help)
}

/// "Usage: logoff …" and the other forms under it, each wrapped at [`WIDTH`].
fn synopsis<'a>(
    l: &Localizer,
    verb: Verb,
    forms: impl Iterator<Item = &'a &'static [Term]>,
) -> Vec<String> {
    let leaf = |t: &Term| match t {
        Term::Operand(o) => placeholder(l, o.name),
        Term::Switch(s, form) => slash(l, s, *form),
        Term::Optional(_) | Term::Choice(_) => String::new(),
    };
    // The translation places the synopsis ("Usage: …", "用法：…"); the lines under it start
    // where it starts.
    let label = l.tr("help-usage", &[("synopsis", verb.name().into())]);
    let indent = label.find(verb.name()).map_or(0, |at| width(&label[..at]));
    let more = indent + verb.name().len() + 1;
    let mut out = vec![];
    for (i, form) in forms.enumerate() {
        let pieces: Vec<String> = std::iter::once(verb.name().to_owned())
            .chain(form.iter().map(|t| render_term(t, &leaf)))
            .collect();
        let mut lines = fill(&pieces, WIDTH - indent, WIDTH - more).into_iter();
        let first = lines.next().unwrap_or_default();
        out.push(if i == 0 {
            l.tr("help-usage", &[("synopsis", first.into())])
        } else {
            format!("{}{first}", " ".repeat(indent))
        });
        out.extend(lines.map(|line| format!("{}{line}", " ".repeat(more))));
    }
    out
}

/// `pieces`, separated by spaces, in lines of at most `first` columns, then `rest`.
fn fill(pieces: &[String], first: usize, rest: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    for piece in pieces {
        let limit = if lines.len() < 2 { first } else { rest };
        match lines.last_mut() {
            Some(line) if width(line) + 1 + width(piece) <= limit => {
                line.push(' ');
                line.push_str(piece);
            }
            _ => lines.push(piece.clone()),
        }
    }
    lines
}

/// A synopsis term, with `leaf` for operands and switches.
pub(crate) fn render_term(t: &Term, leaf: &dyn Fn(&Term) -> String) -> String {
    let all = |terms: &[Term], sep: &str| {
        terms
            .iter()
            .map(|t| render_term(t, leaf))
            .collect::<Vec<_>>()
            .join(sep)
    };
    match t {
        Term::Optional(terms) => format!("[{}]", all(terms, " ")),
        Term::Choice(terms) => all(terms, " | "),
        Term::Operand(_) | Term::Switch(..) => leaf(t),
    }
}

/// `<servername>`.
fn placeholder(l: &Localizer, id: &str) -> String {
    format!("<{}>", l.tr(id, &[]))
}

/// `/server:<servername>`, `/server:<servername>[,...]`, `/server:@<file>`, `/v`.
fn slash(l: &Localizer, s: &Switch, form: Form) -> String {
    let Some(value) = &s.value else {
        return format!("/{}", s.name);
    };
    let name = placeholder(l, value.name);
    match form {
        Form::One => format!("/{}:{name}", s.name),
        Form::List => format!("/{}:{name}[,...]", s.name),
        Form::File => format!("/{}:@{}", s.name, placeholder(l, FILE_VALUE)),
    }
}

/// An operand's or switch's entry in the list: what is typed, and its text.
fn entries(l: &Localizer, verb: Verb) -> Vec<(String, String)> {
    let operands = verb
        .operands()
        .map(|o: &Operand| (placeholder(l, o.name), l.tr(o.help, &[])));
    let switches = verb.switches().map(|s| {
        let token = match (s.shown, &s.value) {
            (Shown::Slash, _) => slash(l, s, Form::One),
            (Shown::Long, None) => format!("--{}", s.long),
            (Shown::Long, Some(v)) => format!("--{}={}", s.long, placeholder(l, v.name)),
        };
        (token, text(l, s))
    });
    operands.chain(switches).collect()
}

/// A switch's help text, told its value's default and range.
pub(crate) fn text(l: &Localizer, s: &Switch) -> String {
    let args: Vec<(&str, Arg)> = match s.value.as_ref().map(|v| v.kind) {
        Some(Kind::Seconds { default, min, max }) => vec![
            ("default", seconds(default).into()),
            ("min", seconds(min).into()),
            ("max", seconds(max).into()),
        ],
        Some(Kind::Count { default, min, max }) => vec![
            ("default", default.to_string().into()),
            ("min", min.to_string().into()),
            ("max", max.to_string().into()),
        ],
        Some(
            Kind::Hosts | Kind::User | Kind::Text | Kind::Duration | Kind::State | Kind::Backend,
        )
        | None => {
            vec![]
        }
    };
    l.tr(s.help, &args)
}

/// `10`, `0.001`, `86400`: as typed on the command line, no trailing zeros.
fn seconds(d: Duration) -> String {
    let secs = d.as_secs();
    match d.subsec_nanos() {
        0 => secs.to_string(),
        nanos => {
            let fraction = format!("{nanos:09}");
            format!("{secs}.{}", fraction.trim_end_matches('0'))
        }
    }
}

/// The two-column list: tokens from [`INDENT`], texts wrapped in a column after them.
fn list(entries: &[(String, String)]) -> Vec<String> {
    let widest = entries
        .iter()
        .map(|(token, _)| width(token))
        .filter(|&w| w <= MAX_TOKEN)
        .max()
        .unwrap_or(0);
    let column = INDENT + widest + 1;
    let mut out = vec![];
    for (token, text) in entries {
        let mut lines = wrap(text, WIDTH - column).into_iter();
        let head = format!("{}{token}", " ".repeat(INDENT));
        match lines.next() {
            Some(first) if width(token) <= widest => {
                let pad = column - width(&head);
                out.push(format!("{head}{}{first}", " ".repeat(pad)));
            }
            first => {
                out.push(head);
                out.extend(first.map(|line| format!("{}{line}", " ".repeat(column))));
            }
        }
        out.extend(lines.map(|line| format!("{}{line}", " ".repeat(column))));
    }
    out
}

/// Closing punctuation: never at the start of a line.
fn no_break_before(c: char) -> bool {
    "，。、；：！？）」』》〉】".contains(c)
}

/// Opening punctuation: never at the end of a line.
fn no_break_after(c: char) -> bool {
    "（「『《〈【".contains(c)
}

/// A paragraph wrapped into lines of at most `width` columns. Lines break at spaces, and
/// (Chinese has no spaces) next to a wide character, except before closing and after opening
/// punctuation. A line break in the text is a space, or nothing between two wide characters.
pub(crate) fn wrap(text: &str, width: usize) -> Vec<String> {
    // Pieces that may not be broken, each with whether a space comes before it.
    let mut pieces: Vec<(bool, String)> = vec![];
    let mut blank: Option<bool> = None; // whitespace seen since the last character; a newline?
    let mut prev: Option<char> = None;
    for c in text.chars() {
        // A no-break space joins what it separates (`#\u{a0}comments`); shown as a space.
        if c.is_whitespace() && c != '\u{a0}' {
            *blank.get_or_insert(false) |= c == '\n';
            continue;
        }
        let cjk_break = prev.is_some_and(|p| {
            (char_width(p) == 2 || char_width(c) == 2) && !no_break_after(p) && !no_break_before(c)
        });
        match (blank.take(), prev) {
            (Some(newline), Some(p)) => {
                let joined = newline && char_width(p) == 2 && char_width(c) == 2;
                pieces.push((!joined, String::new()));
            }
            (_, None) => pieces.push((false, String::new())),
            (None, Some(_)) if cjk_break => pieces.push((false, String::new())),
            (None, Some(_)) => {}
        }
        pieces.last_mut().expect("pushed above").1.push(c);
        prev = Some(c);
    }
    let mut lines: Vec<String> = vec![];
    let mut line = String::new();
    for (space, piece) in pieces {
        let gap = usize::from(space && !line.is_empty());
        if !line.is_empty() && self::width(&line) + gap + self::width(&piece) > width {
            lines.push(std::mem::take(&mut line));
        } else if gap == 1 {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
        .into_iter()
        .map(|l| l.replace('\u{a0}', " "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(wrap("aa\nbb  cc ", 8), ["aa bb cc"]);
        assert_eq!(wrap("toolongword x", 4), ["toolongword", "x"]);
        assert_eq!(wrap("", 10), Vec::<String>::new());
        assert_eq!(wrap("a, #\u{a0}comments", 9), ["a,", "# comments"]);
    }

    #[test]
    fn wraps_chinese_between_characters_not_at_punctuation() {
        assert_eq!(
            wrap("显示正在执行的操作。", 8),
            ["显示正在", "执行的操", "作。"]
        );
        // No closing punctuation at a line start: the character before it moves down too.
        assert_eq!(wrap("一二三。", 6), ["一二", "三。"]);
        assert_eq!(wrap("一（二）", 4), ["一", "（二）"]);
        // Latin words inside Chinese stay whole; a line break between characters is no space.
        assert_eq!(wrap("通过 ssh 和\n访问", 40), ["通过 ssh 和访问"]);
        assert_eq!(
            wrap("通过 systemd-stdio-bridge", 12),
            ["通过", "systemd-stdio-bridge"]
        );
    }

    #[test]
    fn seconds_as_typed() {
        assert_eq!(seconds(Duration::from_secs(10)), "10");
        assert_eq!(seconds(Duration::ZERO), "0");
        assert_eq!(seconds(Duration::from_millis(1)), "0.001");
        assert_eq!(seconds(Duration::from_millis(2500)), "2.5");
        assert_eq!(seconds(Duration::from_secs(86_400)), "86400");
    }

    #[test]
    fn list_columns() {
        let e = |t: &str, x: &str| (t.to_owned(), x.to_owned());
        let lines = list(&[
            e("/a", "one two"),
            e("/bbbb", "three"),
            e(&"/x".repeat(11), "long token"),
        ]);
        assert_eq!(
            lines,
            [
                "  /a    one two",
                "  /bbbb three",
                "  /x/x/x/x/x/x/x/x/x/x/x",
                "        long token"
            ]
        );
    }
}
