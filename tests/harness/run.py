#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Entry point: python3 tests/harness/run.py [--tap FILE] [--filter T] PATH...
(see harness/runner.py).  Runs inside the sysroot via scripts/env/vm-env.sh."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.runner import main  # noqa: E402

sys.exit(main())
