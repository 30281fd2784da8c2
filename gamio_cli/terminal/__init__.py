"""The player's screen and keyboard: the read-play loop (repl), the terminal UI with rich and
prompt_toolkit (tty_io) and the plain one for pipes (pipe_io), Ctrl-C and signals (signals),
the world menu of a new story (newgame) and a custom opening the narrator writes on (opening),
starting a game from the command line's options (options, launch), the commands run outside a
game (shell), one-line messages outside the game screen (oneline) and the Russian words of the
command line's help frame (cliwords).

The only room that may import rich and prompt_toolkit. May import: commands/, game.py,
storage/, model.py and everything below them; never engines/ directly (the model facade does).
"""
