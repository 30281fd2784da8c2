"""First launch against repos laid out like the real ones, served by a local hub (fakehub) so
the real huggingface_hub client runs: a GPT-2 repo without tokenizer files, an old config.json
without model_type, a missing or weightless repo that falls back to its catalogue equivalent
(and an explicit one that does not), too little disk, a download cut off and resumed, a\ndownload interrupted by Ctrl-C and resumed by the next start."""

from __future__ import annotations

import _thread
import json
import threading
import time
from pathlib import Path

import pytest
from huggingface_hub import constants as hf_constants

from gamio_cli.engines import disk, repair
from gamio_cli.engines.blobfetch import PARTIAL_SUFFIX
from gamio_cli.engines.hub import RepoUnusable, cached_model_dir, resolve_model_dir
from gamio_cli.errors import ModelUnavailable
from gamio_cli.model import GENERATOR_OPTION, ModelConfig, load_generator, settle
from gamio_cli.settings import Settings
from tests.engines.fakehub import repo_from_dir
from tests.tiny.build import TinyModels

TOKENIZER = ("vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json",
             "special_tokens_map.json")  # fmt: skip


def _without(files: dict[str, bytes], names: tuple[str, ...]) -> dict[str, bytes]:
    return {name: body for name, body in files.items() if name not in names}


def _stock(tiny: TinyModels) -> dict[str, bytes]:
    """openai-community/gpt2's tokenizer files; here the tiny model's own (same vocabulary)."""
    return {name: (tiny.generator / name).read_bytes() for name in repair.STOCK_TOKENIZER_FILES}


def _generates(path_or_id: str) -> None:
    generator = load_generator(path_or_id, "cpu", seed=1)
    text = generator.generate("You are in a dark forest.\n> You look around\n",
                              Settings(max_new_tokens=5))
    assert isinstance(text, str) and text.strip()


def test_a_gpt2_repo_without_tokenizer_gets_the_stock_one(serve: object, hf: Path,
                                                           tiny_models: TinyModels) -> None:
    files = _without(repo_from_dir(tiny_models.generator), TOKENIZER)
    hub = serve({"old/aid2": files, repair.STOCK_TOKENIZER_REPO: _stock(tiny_models)})  # type: ignore[operator]
    folder = resolve_model_dir("old/aid2", "генератор историй")
    assert folder.is_relative_to(repair.repair_root())
    assert {"vocab.json", "merges.txt", "config.json"} <= {p.name for p in folder.iterdir()}
    snapshot = next((hf / "models--old--aid2" / "snapshots").iterdir())
    assert not (snapshot / "vocab.json").exists()  # the shared hub cache is left as the hub has it
    assert f"{repair.STOCK_TOKENIZER_REPO}/vocab.json" in hub.requested
    _generates("old/aid2")  # loads for real, from the cache now


def test_the_stock_tokenizer_is_refused_when_its_size_differs(serve: object,
                                                              tiny_models: TinyModels) -> None:
    files = _without(repo_from_dir(tiny_models.generator), TOKENIZER)
    config = json.loads(files["config.json"])
    files["config.json"] = json.dumps({**config, "vocab_size": 50257}).encode()
    serve({"old/aid2": files, repair.STOCK_TOKENIZER_REPO: _stock(tiny_models)})  # type: ignore[operator]
    with pytest.raises(ModelUnavailable, match="стандартный токенизатор GPT-2 к ней не подходит"):
        resolve_model_dir("old/aid2", "генератор историй")


def test_an_old_config_without_model_type_loads_as_gpt2(serve: object,
                                                        tiny_models: TinyModels) -> None:
    files = repo_from_dir(tiny_models.generator)
    config = json.loads(files["config.json"])
    old = {key: value for key, value in config.items() if key not in ("model_type", "architectures")}
    assert {"n_embd", "n_layer", "n_head"} <= set(old)
    files["config.json"] = json.dumps(old).encode()
    serve({"old/config": files})  # type: ignore[operator]
    folder = resolve_model_dir("old/config", "генератор историй")
    assert json.loads((folder / "config.json").read_text(encoding="utf-8"))["model_type"] == "gpt2"
    _generates("old/config")


def test_only_the_safetensors_are_fetched_when_the_bin_is_there_too(
    serve: object, tiny_models: TinyModels
) -> None:
    files = repo_from_dir(tiny_models.generator)
    files["pytorch_model.bin"] = b"\0" * 1000
    hub = serve({"both/formats": files})  # type: ignore[operator]
    resolve_model_dir("both/formats", "генератор историй")
    assert "both/formats/model.safetensors" in hub.requested
    assert "both/formats/pytorch_model.bin" not in hub.requested


def _generator_config(model_id: str, fallback: bool) -> ModelConfig:
    return ModelConfig(generator=model_id, ru_en=None, en_ru=None,
                       fallback_options=(GENERATOR_OPTION,) if fallback else ())


@pytest.mark.parametrize("missing", ["no repo", "no weights"])
def test_a_missing_default_falls_back_to_the_next_equivalent(
    serve: object, tiny_models: TinyModels, missing: str
) -> None:
    files = repo_from_dir(tiny_models.generator)
    repos = {"lukasstraub2/gpt2-aidungeon2": files}
    if missing == "no weights":
        repos["0x7194633/gameGPT"] = _without(files, ("model.safetensors",))
    serve(repos)  # type: ignore[operator]
    config, notices = settle(_generator_config("0x7194633/gameGPT", fallback=True))
    assert config.generator == "lukasstraub2/gpt2-aidungeon2"
    [notice] = notices
    assert "«0x7194633/gameGPT»" in notice and "«lukasstraub2/gpt2-aidungeon2»" in notice


def test_an_id_the_player_typed_never_falls_back(serve: object, tiny_models: TinyModels) -> None:
    serve({"lukasstraub2/gpt2-aidungeon2": repo_from_dir(tiny_models.generator)})  # type: ignore[operator]
    with pytest.raises(RepoUnusable, match="«0x7194633/gameGPT».*не найдена"):
        settle(_generator_config("0x7194633/gameGPT", fallback=False))


def test_too_little_disk_is_refused_before_a_byte_is_fetched(
    serve: object, tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = serve({"big/model": repo_from_dir(tiny_models.generator)})  # type: ignore[operator]
    monkeypatch.setattr(disk, "free_disk_bytes", lambda folder: disk.MARGIN_BYTES // 2)
    with pytest.raises(ModelUnavailable) as caught:
        resolve_model_dir("big/model", "генератор историй")
    assert "Не хватает места для модели «big/model»" in caught.value.message
    assert "свободно 500 МБ" in caught.value.message and hub.requested == []


def test_a_cut_download_resumes_where_it_stopped(serve: object, hf: Path,
                                                 tiny_models: TinyModels,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # The client keeps what it received in whole chunks (10 MB): small ones for a tiny file.
    monkeypatch.setattr(hf_constants, "DOWNLOAD_CHUNK_SIZE", 1024)
    files = repo_from_dir(tiny_models.generator)
    hub = serve({"cut/model": files})  # type: ignore[operator]
    hub.cut("cut/model/model.safetensors", after=4096)
    try:
        folder = resolve_model_dir("cut/model", "генератор историй")
    except ModelUnavailable:  # the client gave up on the dropped connection: the next start
        folder = resolve_model_dir("cut/model", "генератор историй")
    assert (folder / "model.safetensors").read_bytes() == files["model.safetensors"]
    assert "cut/model/model.safetensors@4096" in hub.requested  # fetched from byte 4096 on
    assert not list(hf.rglob("*.incomplete")) and not list(hf.rglob("*" + PARTIAL_SUFFIX))


def _play(args: list[str]) -> tuple[int, str]:
    from typer.testing import CliRunner

    from gamio_cli.cli import app

    result = CliRunner().invoke(app, ["play", "--new", "--scenario", "fantasy", *args], input="",
                                prog_name="gamio")
    return result.exit_code, result.output


def test_the_game_says_which_equivalent_plays_for_a_short_name(
    serve: object, tiny_models: TinyModels, tmp_path: Path
) -> None:
    """`--generator aid2` is the catalogue's choice: its equivalent may stand in, said once;
    the same model typed out as an id fails with the reason instead."""
    serve({"imperialwool/ai-dungeon-large-en": repo_from_dir(tiny_models.generator)})  # type: ignore[operator]
    local = ["--ru-en", str(tiny_models.ru_en), "--en-ru", str(tiny_models.en_ru),
             "--saves-dir", str(tmp_path / "saves"), "--engine", "transformers"]
    code, output = _play(["--generator", "aid2", *local])
    assert code == 0, output
    assert ("«lukasstraub2/gpt2-aidungeon2» (генератор историй) недоступна на Hugging Face; "
            "вместо неё играет равноценная «imperialwool/ai-dungeon-large-en»") in " ".join(output.split())
    code, output = _play(["--generator", "lukasstraub2/gpt2-aidungeon2", *local])
    assert code == 1 and "не найдена на Hugging Face" in output and "равноценная" not in output


def test_ctrl_c_mid_download_stops_at_once_keeps_the_partial_file_and_the_next_start_resumes_it(
    serve: object, hf: Path, tiny_models: TinyModels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interrupted file stays as a partial file (blobfetch); the next start asks only for
    its missing bytes, ends with the verified file, and then plays offline from the cache."""
    monkeypatch.setattr(hf_constants, "DOWNLOAD_CHUNK_SIZE", 1024)
    files = repo_from_dir(tiny_models.generator)
    hub = serve({"slow/model": files})  # type: ignore[operator]
    hub.hold("slow/model/model.safetensors", after=32768)

    def press_ctrl_c_once_partial() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            # Only once the weights (fetched last, after the small files) are being sent and
            # part of them is on disk: a small file's partial must not be taken for it.
            weights = "slow/model/model.safetensors" in hub.requested
            if weights and any(p.stat().st_size > 0 for p in hf.rglob("*" + PARTIAL_SUFFIX)):
                _thread.interrupt_main()
                return
            time.sleep(0.05)

    threading.Thread(target=press_ctrl_c_once_partial, daemon=True).start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        resolve_model_dir("slow/model", "генератор историй")
    assert time.monotonic() - start < 20  # not waiting for the stalled file
    assert cached_model_dir("slow/model") is None  # half a model is never used
    [partial] = hf.rglob("*" + PARTIAL_SUFFIX)
    kept = partial.stat().st_size
    assert 0 < kept <= 32768 and partial.read_bytes() == files["model.safetensors"][:kept]
    before = hub.requested
    hub.release()
    folder = resolve_model_dir("slow/model", "генератор историй")
    assert (folder / "model.safetensors").read_bytes() == files["model.safetensors"]
    assert hub.requested[len(before):] == [f"slow/model/model.safetensors@{kept}"]
    assert not list(hf.rglob("*" + PARTIAL_SUFFIX)) and not list(hf.rglob("*.incomplete"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(hf_constants, "HF_HUB_OFFLINE", True)
    assert cached_model_dir("slow/model") == folder
    _generates("slow/model")  # loads for real with the hub switched off
