"""gamio: an AI text adventure in Russian that runs in the terminal.

The house, from the top down; a module imports only from its own room or from rooms below it
(tests/test_layers.py checks this, and that no import circle exists):

- cli.py: the command line (typer) and the one place that wires the rooms together;
  commandline/ holds its parts (click's Russian frame, the declared options).
- terminal/: the player's screen and keyboard: the REPL, the rich and piped UIs, signals,
  the new-game menu, starting a game.
- commands/: the in-game slash commands, as a table.
- game.py: one playing session: the story, its save name and lock, and the turn runner.
- storage/ and model.py (side by side, neither imports the other): story files on disk, and
  the model layer's facade (which models, which engine, loaded how).
- engines/: everything that runs a model: hub downloads, devices, threads; hf/ (transformers)
  and ct2/ (CTranslate2). The only room that may import torch, transformers, ctranslate2,
  sentencepiece or huggingface_hub, and only inside functions.
- turn/: one turn, from the Russian action to the Russian continuation (agreed with the hero).
- world/: the shipped worlds, names, the glossary, world info, Russian word forms and the
  lazily loaded morphological analyser (pymorphy3).
- story.py, engine.py, settings.py, errors.py, textsafe.py, durable.py: the story's plain data,
  the seams (Generator, Translator) and the small helpers every room may use.
"""

__version__ = "0.1.0"
