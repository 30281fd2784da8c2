"""The models on this machine, for `gamio models`: what the catalogue lists, what is downloaded
(in the shared hub cache) and how much disk it takes with gamio's own converted or repaired
copies; downloads with their total size checked against the free disk first; removal.

Each command's body returns its lines (Russian) and the caller prints them; huggingface_hub
is imported inside functions. The folders of gamio's copies are handed in by the caller
(CTranslate2's cache lives in engines/ct2, which this room may not import).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from gamio_cli.engines import catalogue, disk, hub
from gamio_cli.engines.catalogue import ROLE_RU, Entry
from gamio_cli.errors import GamioError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class OnDisk:
    """One model's footprint: its complete folder (None: not downloaded), the bytes it takes in
    the hub cache (partial downloads too) and gamio's copies of it."""

    folder: Path | None
    hub_bytes: int
    copies: tuple[Path, ...]
    copies_bytes: int


def repo_folder(model_id: str) -> Path:
    return hub.hub_cache_dir() / ("models--" + model_id.replace("/", "--"))


def tree_bytes(path: Path) -> int:
    """Bytes the files under path take (links are not followed: they point into the cache)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def copies_of(model_id: str, roots: Iterable[Path]) -> tuple[Path, ...]:
    """gamio's converted or repaired folders of a hub model ("<repo>@<revision>…" by name)."""
    names = {_UNSAFE.sub("_", model_id.replace("/", "--"))[:80],
             "models--" + model_id.replace("/", "--")}  # fmt: skip
    return tuple(sorted(entry for root in roots if root.is_dir() for entry in root.iterdir()
                        if entry.is_dir() and entry.name.rsplit("@", 1)[0] in names))


def on_disk(model_id: str, roots: Iterable[Path]) -> OnDisk:
    copies = copies_of(model_id, roots)
    folder = repo_folder(model_id)
    return OnDisk(hub.cached_model_dir(model_id), tree_bytes(folder) if folder.exists() else 0,
                  copies, sum(tree_bytes(copy) for copy in copies))


def listing(used: dict[str, str], roots: list[Path]) -> list[str]:
    """`gamio models`: the catalogue, one line a model; ★ marks what the settings use."""
    lines = ["Модели gamio (★ — в нынешних настройках; размер — загрузка, ОЗУ — в float32):"]
    shown = set()
    for entry in catalogue.entries():
        star = "★" if used.get(entry.role, "").lower() == entry.id.lower() else " "
        shown.add(entry.id.lower())
        size, ram = disk.size_ru(entry.size_mb * 10**6), disk.size_ru(entry.ram_mb * 10**6)
        lines.append(f"{star} {ROLE_RU[entry.role]:<14} {entry.name:<15} {entry.id:<36} "
                     f"{size:>7}  ОЗУ {ram:>7}  {entry.language}  {_state(entry.id, roots)}")
    for role, value in used.items():
        if value.lower() not in shown:
            where = _state(value, roots) if hub.is_hub_id(value) else "своя папка"
            lines.append(f"★ {ROLE_RU[role]:<14} {'—':<15} {value}  {where}")
    cache = hub.hub_cache_dir()
    lines.append(f"Кеш моделей: {cache} (свободно {disk.size_ru(disk.free_disk_bytes(cache))}). "
                 "Скачать: gamio models download ИМЯ; удалить: gamio models remove ИМЯ.")
    return lines


def _state(model_id: str, roots: list[Path]) -> str:
    found = on_disk(model_id, roots)
    total = found.hub_bytes + found.copies_bytes
    if found.folder is not None:
        return f"скачана, {disk.size_ru(total)}: {found.folder}"
    return f"скачана частично, {disk.size_ru(total)}" if total else "не скачана"


def entries_for(names: list[str], used: dict[str, str]) -> list[tuple[str, str]]:
    """(hub id, Russian role) of each name (a short name stands for every role that has it,
    an id for itself); no names: the models the settings use. Local folders are skipped."""
    if not names:
        return [(value, ROLE_RU[role]) for role, value in used.items() if hub.is_hub_id(value)]
    picked: list[tuple[str, str]] = []
    for name in names:
        found = [e for e in catalogue.entries() if e.name == name.strip().lower()]
        found = found or [e for e in [catalogue.by_id(name)] if e is not None]
        if found:
            picked += [(entry.id, ROLE_RU[entry.role]) for entry in found]
        elif hub.is_hub_id(name):
            picked.append((name, "модель"))
        else:
            raise GamioError(f"Модели «{name}» нет в каталоге и это не id на Hugging Face. "
                             "Список: gamio models.")
    return list(dict.fromkeys(picked))


def download(models: list[tuple[str, str]], say: Callable[[str], None]) -> int:
    """Fetch models into the hub cache: the total size and the free disk said (and checked)
    first, then huggingface_hub's bars per file. Ctrl-C keeps the complete files and the
    interrupted one's bytes; the next call continues from there."""
    missing = [model for model in models if hub.cached_model_dir(model[0]) is None]
    for model in models:
        if model not in missing:
            say(f"«{model[0]}» уже скачана.")
    if not missing:
        return 0
    if hub.offline_mode() or not hub.endpoint_reachable(hub.hub_endpoint()):
        raise GamioError(f"Сервер {hub.hub_endpoint()} недоступен (или задан HF_HUB_OFFLINE): "
                         "скачать модели сейчас нельзя.")
    plans = [hub.download_plan(model_id) for model_id, _ in missing]
    cache = hub.hub_cache_dir()
    need = sum(max(0, plan.total - hub.cached_bytes(plan.repo_id, cache)) for plan in plans)
    say(f"Скачать: {disk.size_ru(need)} (моделей: {len(plans)}); свободно на диске: "
        f"{disk.size_ru(disk.free_disk_bytes(cache))} ({cache}).")
    hub.require_space(need, cache, "моделей " + ", ".join(f"«{p.repo_id}»" for p in plans))
    for model_id, what in missing:
        say(f"Скачиваю «{model_id}» ({what})… (Ctrl-C — прервать; повтор продолжит с того же места)")
        try:
            folder = hub.resolve_model_dir(model_id, what)
        except KeyboardInterrupt:
            # Complete files stay in the hub cache, the interrupted one as a partial file
            # (blobfetch) that the next call continues.
            say("Загрузка прервана: скачанное сохранено, повтор команды продолжит с того же места.")
            raise
        say(f"Готово: {folder}")
    return 0


def remove(entry_id: str, roots: list[Path]) -> list[str]:
    """Free the hub cache entry of a model and gamio's copies of it; the lines to print."""
    from huggingface_hub import scan_cache_dir

    found = on_disk(entry_id, roots)
    if not found.hub_bytes and not found.copies:
        raise GamioError(f"Модель «{entry_id}» не скачана: удалять нечего.")
    freed = found.hub_bytes + found.copies_bytes
    if repo_folder(entry_id).exists():
        info = scan_cache_dir(hub.hub_cache_dir())
        hashes = [rev.commit_hash for repo in info.repos if repo.repo_id.lower() == entry_id.lower()
                  for rev in repo.revisions]
        info.delete_revisions(*hashes).execute()
        shutil.rmtree(repo_folder(entry_id), ignore_errors=True)  # partial downloads too
    for copy in found.copies:
        shutil.rmtree(copy, ignore_errors=True)
    return [f"Модель «{entry_id}» удалена: освобождено {disk.size_ru(freed)}."]


def find_one(name: str) -> Entry | str:
    """What `gamio models remove NAME` removes: a catalogue entry or a hub id."""
    found = [e for e in catalogue.entries() if e.name == name.strip().lower()]
    if len(found) == 1:
        return found[0]
    entry = catalogue.by_id(name)
    if entry is not None:
        return entry
    if found:
        ids = ", ".join(e.id for e in found)
        raise GamioError(f"Имя «{name}» есть у нескольких моделей ({ids}): укажите id.")
    return name
