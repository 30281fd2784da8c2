"""Stories on disk: the saves folder (store), the file format (codec) and its upgrades
(migrations), safe save names (savename), the lock that keeps a second gamio off a story
(filelock), the cleanup of what killed saves leave (leftovers), readable exports (export) and
the user's folders (paths).

May import: turn/, world/ and the plain data (never the model layer or engines/).
"""
