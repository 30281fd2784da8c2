"""The command line's parts, which cli.py wires together: click's frame in Russian (help
layout, one-line usage errors, checked choices) and the declared options of `gamio play` and of
the commands outside the game. typer and click live only here and in cli.py.

May import: terminal/ (the Russian words of the frame, one-line messages), the model facade's
and engines' constants (defaults, choices), world/ (the shipped worlds), plain data.
"""
