from pathlib import Path

import pytest

from annotator.config import ConfigError, config_path, load_settings, user_dir


def test_home_and_config_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATOR_HOME", str(tmp_path))
    monkeypatch.delenv("ANNOTATOR_CONFIG", raising=False)
    assert user_dir() == tmp_path
    assert config_path() == tmp_path / "config.toml"
    assert load_settings().caption.provider == "replay"  # no file: the defaults


def test_endpoints_are_data(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[caption]\nprovider = "local"\nconcurrency = 2\n\n'
        '[endpoints.local]\nbase_url = "http://127.0.0.1:8000/v1"\nmodel = "Qwen2.5-VL-7B"\n'
        'video_as = "frames"\n'
    )
    settings = load_settings(path)
    assert settings.caption.concurrency == 2
    assert settings.endpoints["local"].video_as == "frames"
    assert settings.endpoints["local"].key_env_var is None


@pytest.mark.parametrize(
    "text", ["[caption\n", "[caption]\nconcurrency = 0\n", "[caption]\napi_key = 'sk-x'\n"]
)
def test_bad_config_names_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=str(path)):
        load_settings(path)


def test_a_key_written_into_the_config_is_not_repeated(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[endpoints.lan]\nbase_url = "http://192.168.1.20:8000/v1"\n'
        'api_key = "lan-secret-0123456789"\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "lan-secret-0123456789" not in message
    assert "endpoints.lan.api_key" in message and "key_env_var" in message


def test_an_endpoint_model_and_key_variable_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[endpoints.lan]\nbase_url = "http://192.168.1.20:8000/v1"\n'
        'model = "Qwen/Qwen2.5-VL-7B-Instruct"\nkey_env_var = "LAN_VLLM_KEY"\n'
    )
    lan = load_settings(path).endpoints["lan"]
    assert (lan.model, lan.key_env_var) == ("Qwen/Qwen2.5-VL-7B-Instruct", "LAN_VLLM_KEY")


def test_a_wrong_setting_is_named_in_plain_words(tmp_path: Path) -> None:
    """Issue 14 item 13: no pydantic wording ('Input should be', 'Extra inputs')."""
    path = tmp_path / "config.toml"
    path.write_text("[caption]\nconcurrency = 100\ncolour = 'red'\nfps = 'fast'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "caption.concurrency must be at most 64" in message, message
    assert "caption.colour is not a known setting" in message, message
    assert "caption.fps must be a number" in message, message
    assert "Input should" not in message and "Extra inputs" not in message
