"""`python -m linkage.access new-key` (linkage/access/cli.py)."""

from linkage.access.cli import main

main()
