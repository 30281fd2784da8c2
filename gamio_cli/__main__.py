"""`python -m gamio_cli` does what the `gamio` command does."""

from gamio_cli.cli import main

if __name__ == "__main__":
    main()
