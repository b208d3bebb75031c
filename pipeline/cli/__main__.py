"""`python -m pipeline.cli ...`: the same commands as `longdoc`."""

from pipeline.cli.main import main

raise SystemExit(main())
