//! The man page and shell completions, made from the switch table.
