"""gamio: an AI text adventure in Russian that runs in the terminal."""

__version__ = "0.1.0"
