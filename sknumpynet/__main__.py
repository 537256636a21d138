"""``python -m sknumpynet``: the command line (see ``sknumpynet._compare``)."""

from ._compare import main

if __name__ == "__main__":
    raise SystemExit(main())
