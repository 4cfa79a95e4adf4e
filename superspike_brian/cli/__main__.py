"""``python -m superspike_brian.cli``: the ``superspike`` command."""

import sys

from superspike_brian.cli import main

sys.exit(main())
