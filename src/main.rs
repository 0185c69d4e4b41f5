//! `logoff`: log users off a session host (see `logoff /?`).
fn main() -> std::process::ExitCode {
    logoff::app::main(logoff::cli::Verb::Logoff)
}
