"""The Rasa sidecar: install Rasa Open Source 3.6 in a Python 3.10 virtualenv, train on nlu/, serve on 127.0.0.1.

Rasa 3.6 runs only on Python 3.10, so it never shares the bot's interpreter; the bot talks to it over HTTP.
Everything heavy is cached outside the repository: the virtualenv (~2.7 GB, installed once) in
SAQBOL_RASA_HOME (default ~/.cache/saqbol/rasa-3.6.21) and trained models in ~/.cache/saqbol/rasa-models,
named by a hash of nlu/config.yml and nlu/data, so an unchanged project is never retrained.

Usage: python -m nlu.rasa_sidecar {python|install|train|serve [--port N]|model}
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

RASA_VERSION = "3.6.21"
NLU_DIR = Path(__file__).resolve().parent


def rasa_home() -> Path:
    return Path(os.environ.get("SAQBOL_RASA_HOME") or Path.home() / ".cache" / "saqbol" / f"rasa-{RASA_VERSION}")


def find_python310() -> str | None:
    """A Python 3.10 interpreter: $SAQBOL_RASA_PYTHON, python3.10 on PATH, or a pyenv 3.10 build."""
    candidates = [os.environ.get("SAQBOL_RASA_PYTHON"), shutil.which("python3.10")]
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/3.10*/bin/python3.10"), reverse=True)
    for c in candidates:
        if not c or not Path(c).exists():
            continue
        try:
            out = subprocess.run([c, "-c", "import sys; print(sys.version_info[:2] == (3, 10))"],
                                 capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out == "True":
            return c
    return None


def rasa_bin() -> Path:
    return rasa_home() / "bin" / "rasa"


def install() -> Path:
    """Create the virtualenv and install rasa==3.6.21 once; later calls return at once."""
    rasa = rasa_bin()
    marker = rasa_home() / ".saqbol-installed"
    if rasa.exists() and (marker.exists() or _importable()):
        marker.touch()
        return rasa
    python = find_python310()
    if python is None:
        raise SystemExit("Rasa 3.6 needs Python 3.10 (set SAQBOL_RASA_PYTHON, or install it with pyenv)")
    venv = rasa_home()
    shutil.rmtree(venv, ignore_errors=True)  # a half-finished earlier install
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    try:
        subprocess.run(pip + [f"rasa=={RASA_VERSION}"], check=True)
    except subprocess.CalledProcessError:
        shutil.rmtree(venv, ignore_errors=True)
        raise
    marker.touch()
    return rasa


def _importable() -> bool:
    python = rasa_home() / "bin" / "python"
    try:
        return subprocess.run([str(python), "-c", "import rasa.version"], capture_output=True, timeout=120
                              ).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def data_hash() -> str:
    h = hashlib.sha256(RASA_VERSION.encode())
    for f in [NLU_DIR / "config.yml", *sorted((NLU_DIR / "data").glob("*.yml"))]:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def model_path() -> Path:
    """SAQBOL_RASA_MODEL when set (a model trained elsewhere), else the cached model for this exact data."""
    if os.environ.get("SAQBOL_RASA_MODEL"):
        return Path(os.environ["SAQBOL_RASA_MODEL"])
    return rasa_home().parent / "rasa-models" / f"saqbol-nlu-{data_hash()}.tar.gz"


def train() -> Path:
    """Train on nlu/ unless a model for exactly this config and data is already cached."""
    from .rasa_prepare import prepare

    target = model_path()
    if target.exists():
        return target
    rasa = install()
    work = rasa_home().parent / "rasa-work" / data_hash()
    prepare(NLU_DIR / "data", work / "data")
    subprocess.run([str(rasa), "train", "nlu", "--config", str(NLU_DIR / "config.yml"), "--nlu", str(work / "data"),
                    "--out", str(target.parent), "--fixed-model-name", target.name.removesuffix(".tar.gz")],
                   check=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    shutil.rmtree(work, ignore_errors=True)
    return target


def serve_command(port: int = 5005, model: Path | None = None) -> list[str]:
    return [str(rasa_bin()), "run", "--enable-api", "-m", str(model or model_path()), "-i", "127.0.0.1",
            "-p", str(port), "--quiet"]


def main(argv: list[str]) -> None:
    cmd = argv[0] if argv else "model"
    if cmd == "python":
        print(find_python310() or "")
    elif cmd == "install":
        print(install())
    elif cmd == "train":
        print(train())
    elif cmd == "model":
        print(model_path())
    elif cmd == "serve":
        port = int(argv[argv.index("--port") + 1]) if "--port" in argv else 5005
        os.execv(str(rasa_bin()), serve_command(port, train()))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
