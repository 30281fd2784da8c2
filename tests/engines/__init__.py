"""Tests of gamio_cli/engines/: hub, threads, background work."""
