"""Where a model's files come from: a local directory or the Hugging Face Hub (cache first).

Without network transformers retries each file for ~23 s and then fails with misleading errors
(MarianTokenizer raises TypeError, GPT2Tokenizer returns an empty tokenizer), so this module
decides quickly itself: local directory -> checked as is; hub id -> local cache, else a
reachability check bounded to ~1.5 s, else one clear Russian ModelUnavailable.
huggingface_hub is imported lazily, inside functions.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gamio_cli.engines import blobfetch, disk, repair
from gamio_cli.errors import ModelUnavailable

DEFAULT_ENDPOINT = "https://huggingface.co"
# Seconds the reachability check may take (DNS included); keeps the offline answer under 2 s.
REACH_TIMEOUT_S = 1.5
# Seconds for the metadata request once the hub is known to be reachable.
INFO_TIMEOUT_S = 15.0
ALL_OPTIONS = "--generator, --ru-en или --en-ru"

CONFIG_FILES = ("config.json", "generation_config.json")
TOKENIZER_FILES = (
    "vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json",
    "special_tokens_map.json", "source.spm", "target.spm",
)
# Any one of these makes a usable tokenizer: GPT-2 (vocab.json, tokenizer.json), Marian (*.spm).
_TOKENIZER_CORE = ("tokenizer.json", "vocab.json", "source.spm")
_WEIGHT_PATTERNS = (
    re.compile(r"model(-\d+-of-\d+)?\.safetensors|model\.safetensors\.index\.json"),
    re.compile(r"pytorch_model(-\d+-of-\d+)?\.bin|pytorch_model\.bin\.index\.json"),
)
_REPO_ID = re.compile(r"[\w\-.]{1,96}(/[\w\-.]{1,96})?")


class RepoUnusable(ModelUnavailable):
    """The hub has no such repo, or one without weights gamio can load: an equivalent from
    the catalogue may stand in (the facade decides whether the player allowed that)."""


@dataclass(frozen=True)
class Plan:
    """What downloading a repo takes: the files the game needs and their sizes in bytes."""

    repo_id: str
    sizes: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def resolve_model_dir(id_or_dir: str, what_ru: str, *, option: str = ALL_OPTIONS) -> Path:
    """A directory holding config, tokenizer and weights for id_or_dir (a local path or hub id).

    what_ru names the model's role in messages ("переводчик ru→en"); option is the command-line
    flag that takes a local directory instead, named in the remedy.
    Raises ModelUnavailable with a Russian message and the remedy.
    """
    if not is_hub_id(id_or_dir):
        return check_model_dir(Path(id_or_dir).expanduser(), what_ru)
    return _from_hub(id_or_dir, what_ru, option)


def is_hub_id(id_or_dir: str) -> bool:
    """Whether the game takes id_or_dir as a hub id (else as a local directory)."""
    path = Path(id_or_dir).expanduser()
    return not (path.exists() or _looks_like_path(id_or_dir) or not _REPO_ID.fullmatch(id_or_dir))


def _looks_like_path(text: str) -> bool:
    seps = {os.sep, "\\"} if os.name == "nt" else {os.sep}
    return text.startswith(("/", ".", "~")) or text.count("/") > 1 or any(
        sep in text for sep in seps - {"/"}
    )


def check_model_dir(path: Path, what_ru: str) -> Path:
    """Return path when it holds a loadable model, else raise ModelUnavailable naming what is missing."""
    if not path.is_dir():
        raise ModelUnavailable(
            f"Папка модели ({what_ru}) не найдена: {path}. Проверьте путь: в папке должны быть "
            "config.json, файлы токенизатора и веса (pytorch_model.bin или *.safetensors)."
        )
    missing = missing_parts(path)
    if missing:
        raise ModelUnavailable(
            f"В папке {path} нет всего, что нужно модели ({what_ru}): не хватает "
            f"{', '.join(missing)}. Скачайте модель целиком или укажите другую папку."
        )
    return path


def missing_parts(path: Path) -> list[str]:
    """Russian names of the parts a model directory lacks (empty when it looks complete)."""
    names = {entry.name for entry in path.iterdir() if entry.is_file()}
    missing = []
    if "config.json" not in names:
        missing.append("config.json")
    if not any(name in names for name in _TOKENIZER_CORE):
        missing.append("файлов токенизатора (tokenizer.json, vocab.json или source.spm)")
    if not weight_files(names):
        missing.append("весов (pytorch_model.bin или *.safetensors)")
    return missing


def weight_files(names: set[str] | list[str]) -> list[str]:
    """Top-level weight files of one format: safetensors when present (safer, faster), else .bin."""
    for pattern in _WEIGHT_PATTERNS:
        found = sorted(name for name in names if pattern.fullmatch(name))
        if found:
            return found
    return []


def wanted_files(repo_files: list[str]) -> list[str]:
    """The files of a hub repo the game needs: config, tokenizer and ONE weight format.

    Only top-level names: GPT-2 repos also carry onnx/, TF, Flax and Rust weights (gigabytes).
    """
    top = [name for name in repo_files if "/" not in name]
    needed = set(CONFIG_FILES) | set(TOKENIZER_FILES)
    return sorted(name for name in top if name in needed) + weight_files(top)


def hub_cache_dir() -> Path:
    """The hub cache, read from the environment at call time (tests and users may change it)."""
    explicit = os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    home = os.environ.get("HF_HOME")
    if not home:
        xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        home = os.path.join(xdg, "huggingface")
    return Path(home).expanduser() / "hub"


def hub_endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def offline_mode() -> bool:
    flags = (os.environ.get("HF_HUB_OFFLINE"), os.environ.get("TRANSFORMERS_OFFLINE"))
    return any((flag or "").strip().upper() in {"1", "ON", "YES", "TRUE"} for flag in flags)


def _from_hub(repo_id: str, what_ru: str, option: str) -> Path:
    cache = hub_cache_dir()
    cached = _from_cache(repo_id, cache)
    if cached is not None:
        return cached
    if offline_mode() or not endpoint_reachable(hub_endpoint()):
        raise ModelUnavailable(_offline_message(repo_id, what_ru, option))
    try:
        return check_model_dir(_download(repo_id, cache, what_ru), what_ru)
    except ModelUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 - every hub failure becomes one Russian message
        raise _hub_error(error, repo_id, what_ru, option, cache) from error


def cached_model_dir(repo_id: str) -> Path | None:
    """The complete (or repaired) cached model of repo_id, or None; never uses the network."""
    return _from_cache(repo_id, hub_cache_dir())


def _from_cache(repo_id: str, cache: Path) -> Path | None:
    """The complete cached snapshot of repo_id, or None (no network is used)."""
    from huggingface_hub import snapshot_download

    patterns = _cached_patterns(repo_id, cache)
    try:
        folder = snapshot_download(
            repo_id, cache_dir=cache, local_files_only=True, allow_patterns=patterns
        )
    except Exception:  # noqa: BLE001 - not cached (or partly): the caller goes online
        return None
    path = repair.existing(Path(folder))
    return path if path.is_dir() and not missing_parts(path) else None


def _cached_patterns(repo_id: str, cache: Path) -> list[str]:
    """Files to expect in the cache: from the cached repo listing when there is one."""
    try:
        from huggingface_hub import get_cached_repo_tree

        return wanted_files([entry.path for entry in get_cached_repo_tree(repo_id, cache_dir=cache)])
    except Exception:  # noqa: BLE001 - old huggingface_hub or no listing: check files ourselves
        return list(CONFIG_FILES + TOKENIZER_FILES) + ["*.safetensors", "pytorch_model*.bin"]


def endpoint_reachable(endpoint: str, timeout_s: float = REACH_TIMEOUT_S) -> bool:
    """True when a TCP connection to the endpoint (or the proxy in use) opens within timeout_s.

    Runs in a daemon thread because DNS lookups ignore socket timeouts and may hang for long.
    """
    host, port = _target(endpoint)
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout_s)
    return bool(result and result[0])


def _target(endpoint: str) -> tuple[str, int]:
    """Host and port to probe: the HTTPS/HTTP proxy when one is configured, else the endpoint."""
    scheme = urlsplit(endpoint).scheme or "https"
    names = ("HTTPS_PROXY", "https_proxy") if scheme == "https" else ("HTTP_PROXY", "http_proxy")
    proxy = next((os.environ[n] for n in names + ("ALL_PROXY", "all_proxy") if os.environ.get(n)), "")
    url = urlsplit(proxy if "://" in proxy else f"http://{proxy}") if proxy else urlsplit(endpoint)
    default_port = 443 if url.scheme == "https" else 80
    return url.hostname or "huggingface.co", url.port or default_port


def download_plan(repo_id: str) -> Plan:
    """The files of repo_id the game needs, with their sizes (one metadata request)."""
    from huggingface_hub import HfApi

    info = HfApi(endpoint=hub_endpoint()).model_info(
        repo_id, timeout=INFO_TIMEOUT_S, files_metadata=True
    )
    siblings = {sibling.rfilename: int(sibling.size or 0) for sibling in info.siblings or []}
    files = wanted_files(list(siblings))
    if not weight_files(files):
        raise RepoUnusable(
            f"В модели «{repo_id}» на Hugging Face нет весов для PyTorch "
            "(pytorch_model.bin или *.safetensors): игра не может её загрузить."
        )
    return Plan(repo_id, {name: siblings[name] for name in files})


def check_space(plan: Plan, cache: Path, what_ru: str) -> None:
    """Refuse, before a byte is fetched, a download that would not leave the margin free.

    Files already complete in the cache (an interrupted download) are not counted again.
    """
    require_space(max(0, plan.total - cached_bytes(plan.repo_id, cache)), cache,
                  f"модели «{plan.repo_id}» ({what_ru})")


def require_space(need: int, cache: Path, what_ru: str) -> None:
    """ModelUnavailable unless need bytes and the margin fit on the disk of cache."""
    free = disk.free_disk_bytes(cache)
    if need + disk.MARGIN_BYTES > free:
        raise ModelUnavailable(
            f"Не хватает места для {what_ru}: нужно {disk.size_ru(need)} и ещё "
            f"{disk.size_ru(disk.MARGIN_BYTES)} запаса, а на диске с кешем моделей ({cache}) "
            f"свободно {disk.size_ru(free)}. Освободите место (gamio models remove ИМЯ) или "
            "выберите модель поменьше (список: gamio models)."
        )


def cached_bytes(repo_id: str, cache: Path) -> int:
    """Bytes of repo_id's files in the cache that a download skips: complete blobs and gamio's
    partial ones (resumed), not huggingface_hub's `.incomplete` files (it deletes them)."""
    blobs = blobfetch.repo_folder(repo_id, cache) / "blobs"
    if not blobs.is_dir():
        return 0
    return sum(entry.stat().st_size for entry in blobs.iterdir()
               if entry.is_file() and not entry.name.endswith(".incomplete"))


def _download(repo_id: str, cache: Path, what_ru: str = "модель") -> Path:
    """Fetch only the files the game needs (one weight format), showing huggingface_hub's
    progress bar per file, after checking that they fit on the disk; then the repairs old
    repos need.

    One file at a time, small ones first, in this thread: snapshot_download's worker threads
    would keep a download running after Ctrl-C (the interpreter waits for them); here Ctrl-C
    stops at once. Complete files stay in the cache, the interrupted one stays as a partial
    file, and the next call continues it (blobfetch); every file is checked against its
    checksum before it enters the cache.
    """
    plan = download_plan(repo_id)
    check_space(plan, cache, what_ru)
    # revision main (not info.sha): only a branch download records refs/main, which the
    # offline cache lookup of the next start needs.
    paths = [blobfetch.fetch(repo_id, name, cache, hub_endpoint()) for name in plan.sizes]
    folder = Path(paths[0]).parent
    return repair.repaired(Path(folder), lambda: stock_tokenizer(cache), what_ru)


def stock_tokenizer(cache: Path) -> Path:
    """The folder of the stock GPT-2 tokenizer files, from the cache or the hub (~1.5 MB)."""
    from huggingface_hub import hf_hub_download

    repo = repair.STOCK_TOKENIZER_REPO
    for offline in (True, False):
        try:
            paths = [hf_hub_download(repo, name, cache_dir=cache, local_files_only=True)
                     if offline else blobfetch.fetch(repo, name, cache, hub_endpoint())
                     for name in repair.STOCK_TOKENIZER_FILES]
            return Path(paths[0]).parent
        except ModelUnavailable:  # a file failed its checksum: that message, not the one below
            raise
        except Exception:  # noqa: BLE001 - not cached: fetch; not reachable: the message below
            continue
    raise ModelUnavailable(
        f"В модели нет файлов токенизатора, а стандартный токенизатор GPT-2 "
        f"({repair.STOCK_TOKENIZER_REPO}) скачать не удалось. Подключитесь к интернету и "
        "запустите игру снова."
    )


def _offline_message(repo_id: str, what_ru: str, option: str) -> str:
    if offline_mode():
        flag = "HF_HUB_OFFLINE" if os.environ.get("HF_HUB_OFFLINE") else "TRANSFORMERS_OFFLINE"
        return (
            f"Модель «{repo_id}» ({what_ru}) ещё не скачана, а загрузка из сети выключена "
            f"переменной {flag}. Запустите игру один раз без неё ({flag}=0 gamio), чтобы "
            f"скачать модель (дальше игра работает без сети), или укажите папку с уже "
            f"скачанной моделью: {option} ПАПКА."
        )
    return (
        f"Модель «{repo_id}» ({what_ru}) ещё не скачана, а сервер {hub_endpoint()} недоступен "
        "— похоже, нет интернета. Подключитесь к интернету один раз, чтобы скачать её (дальше "
        f"игра работает без сети), или укажите папку с уже скачанной моделью: {option} ПАПКА."
    )


def _hub_error(error: Exception, repo_id: str, what_ru: str, option: str, cache: Path) -> ModelUnavailable:
    """Map a huggingface_hub / network / disk error to one Russian message with the remedy."""
    from huggingface_hub import errors

    name = f"«{repo_id}» ({what_ru})"
    if isinstance(error, errors.GatedRepoError):
        text = (f"Модель {name} закрыта: войдите на Hugging Face (hf auth login) и примите "
                "условия на странице модели, затем запустите игру снова.")
    elif isinstance(error, errors.RepositoryNotFoundError):
        return RepoUnusable(
            f"Модель {name} не найдена на Hugging Face. Проверьте имя (вида «автор/модель») "
            f"или укажите папку с моделью: {option} ПАПКА.")
    elif isinstance(error, OSError) and error.errno == errno.ENOSPC:
        text = (f"Не хватает места на диске, чтобы скачать модель {name}. "
                f"Освободите место (кеш моделей: {cache}) и запустите игру снова.")
    elif _is_connection_error(error):
        text = _offline_message(repo_id, what_ru, option) + " Связь оборвалась во время загрузки."
    else:
        status = _status_code(error)
        detail = f"сервер ответил кодом {status}" if status else type(error).__name__
        text = f"Не удалось скачать модель {name}: {detail}. Попробуйте позже или укажите папку: {option} ПАПКА."
    return ModelUnavailable(text)


def _is_connection_error(error: Exception) -> bool:
    from huggingface_hub import errors

    if isinstance(error, (errors.LocalEntryNotFoundError, errors.OfflineModeIsEnabled, ConnectionError)):
        return True
    module = type(error).__module__
    return module.startswith(("httpx", "httpcore", "requests", "urllib3")) and (
        "Connect" in type(error).__name__ or "Timeout" in type(error).__name__
    )


def _status_code(error: Exception) -> int | None:
    response: Any = getattr(error, "response", None)
    code = getattr(response, "status_code", None)
    return code if isinstance(code, int) else None
