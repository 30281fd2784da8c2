"""Stories on disk: the saves folder (store), the file format (codec) and its upgrades
(migrations), safe save names (savename), the lock that keeps a second gamio off a story
(filelock), the cleanup of what killed saves leave (leftovers), readable exports (export),
the user's folders (paths), and the folder as the player manages it: the listing with
unreadable files, removing and renaming (manage).

May import: turn/, world/ and the plain data (never the model layer or engines/).
"""
