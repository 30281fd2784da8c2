"""Tests of gamio_cli/turn/: one turn, at its seam and through the tiny real models."""
