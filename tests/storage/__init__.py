"""Tests of gamio_cli/storage/: the saves folder, the file format, names, locks, exports."""
