"""`python -m careguide.api` runs the command line (the same as `careguide`)."""

from careguide.api.cli import main

main()
