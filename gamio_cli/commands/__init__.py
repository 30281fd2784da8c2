"""The in-game slash commands: the table the REPL looks words up in and the Session protocol
handlers talk through (table), the everyday commands and the default table (core), and the
groups: the turns themselves (story), what the model sees (toolkit), editing its entries
(edits), /settings (settings), the hero's address and gender (hero) and /prompt (inspect).

May import: game.py and everything below it (storage/, turn/, world/, the plain data); not
the terminal, the model layer or engines/.
"""
