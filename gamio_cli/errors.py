"""Errors the player sees: each carries one clear Russian message with the remedy."""

from __future__ import annotations


class GamioError(Exception):
    """Base of every error shown to the player; str(error) is the Russian message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ModelUnavailable(GamioError):
    """A model cannot be fetched or loaded (no network, unknown id, missing files, no memory)."""


class SaveError(GamioError):
    """A save cannot be read or written."""


class GenerationFailed(GamioError):
    """The generator produced nothing usable after the allowed number of tries."""


class Cancelled(GamioError):
    """The player pressed Ctrl-C while the model worked; the turn is dropped."""

    def __init__(self, message: str = "Ход отменён: история осталась как была.") -> None:
        super().__init__(message)


# The operating system's reasons in Russian: its own strerror is English (or the system
# locale's), and the player reads Russian everywhere else. errno names, not numbers: they differ
# between systems.
_OS_REASONS_RU = {
    "ENOENT": "нет такого файла или папки",
    "EISDIR": "это папка, а не файл",
    "ENOTDIR": "часть пути — файл, а не папка",
    "EACCES": "нет прав доступа",
    "EPERM": "операция не разрешена",
    "EROFS": "файловая система доступна только для чтения",
    "ENOSPC": "нет места на диске",
    "EDQUOT": "исчерпана дисковая квота",
    "EFBIG": "файл слишком большой",
    "EEXIST": "файл уже существует",
    "ENAMETOOLONG": "слишком длинное имя файла",
    "EBUSY": "файл занят",
    "EIO": "ошибка ввода-вывода (диск?)",
    "ELOOP": "слишком много символических ссылок",
    "EMFILE": "открыто слишком много файлов",
    "EXDEV": "нельзя перенести между дисками",
    "ETXTBSY": "файл занят",
}


def os_reason(error: OSError) -> str:
    """Why an OS call failed, in Russian (the errno's name when we have no words for it)."""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    if name in _OS_REASONS_RU:
        return _OS_REASONS_RU[name]
    return f"ошибка системы {name}" if name else "ошибка системы"
