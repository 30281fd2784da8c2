"""Tests of gamio_cli/world/: shipped worlds, names, the glossary, world info."""
