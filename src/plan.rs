//! From the parsed switches to what will run: host lists read, host names checked, each
//! destination once, one host or many decided, impossible combinations refused. Nothing
//! connects anywhere before a plan is made.

use std::io::Read;
use std::path::Path;

use crate::cli::{Options, ParseError, Servers};
use crate::error::{Error, HostFileProblem, Result};
use crate::session::{Selector, StateFilter};
use crate::transport::{Target, parse_host};

/// What a logoff command will do.
#[derive(Debug)]
pub struct Plan {
    /// Each host once, in the order given.
    pub targets: Vec<Target>,
    /// One host named on the command line: reported the Windows way (a list file never is).
    pub single: bool,
    pub selector: Selector,
    /// `/idle`, `/disconnected`.
    pub filter: StateFilter,
}

/// The plan for `opts`, or why there can be none.
pub fn plan(opts: &Options) -> Result<Plan> {
    let filter = StateFilter {
        idle: opts.idle,
        disconnected: opts.disconnected,
    };
    let selector = match (&opts.session, &opts.user) {
        (Some(s), _) => Selector::Session(s.clone()),
        (None, Some(u)) => Selector::User(u.clone()),
        // /idle, /disconnected alone: everyone's sessions in that state.
        (None, None) if !filter.is_empty() => Selector::All,
        (None, None) => Selector::Current,
    };
    let (targets, single) = hosts(opts)?;
    // A session ID or name means something on one host only.
    if opts.session.is_some() && targets.len() > 1 {
        return Err(Error::Usage(ParseError::SessionOnManyHosts));
    }
    Ok(Plan {
        targets,
        single,
        selector,
        filter,
    })
}

/// The hosts of a listing (`qwinsta`, `quser`): its filter may span hosts, as a listing ends
/// nothing. Whether one host was named on the command line (reported without a host column).
pub fn hosts(opts: &Options) -> Result<(Vec<Target>, bool)> {
    let names = match &opts.servers {
        None => return Ok((vec![Target::Local], true)),
        Some(Servers::List(names)) => names.clone(),
        Some(Servers::File(path)) => read_host_file(path)?,
    };
    let targets = targets(&names)?;
    let single = targets.len() == 1 && matches!(opts.servers, Some(Servers::List(_)));
    Ok((targets, single))
}

/// Largest host list read (a list of 100,000 hosts is still under it).
pub(crate) const MAX_HOST_FILE: u64 = 4 << 20;

/// Host names from a `/server:@FILE` list: one per line, `#` starts a comment. A UTF-8 byte
/// order mark and CRLF line ends (files written on Windows) are accepted.
pub(crate) fn parse_host_list(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(crate) fn read_host_file(path: &Path) -> Result<Vec<String>> {
    let fail = |problem| Error::HostFile {
        path: path.display().to_string(),
        problem,
    };
    let io = |e: std::io::Error| {
        fail(match e.kind() {
            std::io::ErrorKind::NotFound => HostFileProblem::NotFound,
            std::io::ErrorKind::PermissionDenied => HostFileProblem::PermissionDenied,
            std::io::ErrorKind::IsADirectory => HostFileProblem::IsDirectory,
            std::io::ErrorKind::InvalidData => HostFileProblem::NotText,
            _ => HostFileProblem::Other(e.to_string()),
        })
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    // Bounded: `@/dev/zero` or a huge file is refused, not read until memory runs out.
    file.take(MAX_HOST_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_HOST_FILE {
        return Err(fail(HostFileProblem::TooLarge));
    }
    let text = String::from_utf8(bytes).map_err(|_| fail(HostFileProblem::NotText))?;
    let hosts = parse_host_list(&text);
    if hosts.is_empty() {
        return Err(Error::HostFileEmpty {
            path: path.display().to_string(),
        });
    }
    Ok(hosts)
}

/// Every name checked before any connection is made (one bad name refuses the whole command),
/// and each destination once: `Server1` and `server1` are one host, one connection, one result.
pub fn targets(names: &[String]) -> Result<Vec<Target>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for n in names {
        let t = parse_host(n)?;
        if seen.insert(t.destination()) {
            out.push(t);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_lists() {
        let text = "# farm A\nserver1\n  server2  # rack 2\n\n#server3\nalice@server4:2222\n";
        assert_eq!(
            parse_host_list(text),
            ["server1", "server2", "alice@server4:2222"]
        );
        assert!(parse_host_list("# nothing\n\n").is_empty());
        // Written on Windows: a byte order mark and CRLF.
        assert_eq!(
            parse_host_list("\u{FEFF}server1\r\nserver2 # x\r\n\r\n"),
            ["server1", "server2"]
        );
    }

    #[test]
    fn one_bad_name_refuses_all() {
        let names: Vec<String> = ["server1", "-oProxyCommand=x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert!(matches!(targets(&names), Err(Error::BadHost { .. })));
    }

    #[test]
    fn duplicate_destinations_are_one_host() {
        let names: Vec<String> = [
            "server1",
            "SERVER1",
            "root@server1",
            "root@Server1",
            "server1:2222",
            "Alice@server1",
            "alice@server1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let labels: Vec<String> = targets(&names).unwrap().iter().map(Target::label).collect();
        // User names are case-sensitive; host names are not; a port makes another destination.
        assert_eq!(
            labels,
            [
                "server1",
                "root@server1",
                "server1:2222",
                "Alice@server1",
                "alice@server1"
            ]
        );
    }
}
