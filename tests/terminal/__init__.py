"""Tests of gamio_cli/terminal/: the REPL, the terminal and piped UIs, the real game in a pty and a pipe."""
