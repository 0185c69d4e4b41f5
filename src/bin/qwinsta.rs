//! `qwinsta`: list the sessions of a session host (see `qwinsta /?`).
fn main() -> std::process::ExitCode {
    logoff::app::main(logoff::cli::Verb::Qwinsta)
}
