"""Tests of gamio_cli/commands/: the slash-command table and its groups."""
