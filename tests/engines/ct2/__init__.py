"""Tests of gamio_cli/engines/ct2/: the CTranslate2 engine on the tiny real models."""
