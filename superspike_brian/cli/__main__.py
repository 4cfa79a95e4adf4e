import sys

from superspike_brian.cli import main

sys.exit(main())
