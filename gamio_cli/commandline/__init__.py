"""The command line's parts, which cli.py wires together: click's frame in Russian (help
layout, one-line usage errors, checked choices), the declared options of `gamio play` and of
the commands outside the game, the settings file (configfile: its keys read off play's
declared options, handed to click as default_map) and the commands around the game (admin:
config, models, doctor). typer and click live only here and in cli.py.

May import: terminal/ (the Russian words of the frame, one-line messages), storage/ (where
the settings file lives), the model facade and engines/ (constants at import time; the
catalogue, models on disk and the doctor's checks inside the commands), world/ (the shipped
worlds), plain data.
"""
