//! `quser`: list the users' sessions of a session host (see `quser /?`).
fn main() -> std::process::ExitCode {
    logoff::app::main(logoff::cli::Verb::Quser)
}
