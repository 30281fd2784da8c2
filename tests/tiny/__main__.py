"""python -m tests.tiny OUT_DIR: build the tiny models for manual play."""

import sys

from tests.tiny.build import main

sys.exit(main(sys.argv))
