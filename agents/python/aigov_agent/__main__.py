"""python3 -m aigov_agent: see aigov_agent.cli."""

import sys

from aigov_agent.cli import main

sys.exit(main())
