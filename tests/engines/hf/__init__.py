"""Tests of gamio_cli/engines/hf/: the transformers engine on the tiny real models."""
