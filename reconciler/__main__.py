"""`python -m reconciler` runs the same CLI as the `reconciler` console command."""

from reconciler.cli import main

raise SystemExit(main())
